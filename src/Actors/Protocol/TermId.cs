namespace Forge.Protocol;

/// <summary>
/// A grant term: (counter, proposer id), totally ordered by counter then proposer (ordinal). Terms only grow,
/// across arbiter handovers too; two proposers minting the same counter still produce distinct, ordered terms.
/// </summary>
public readonly record struct TermId(long Counter, string ProposerId) : IComparable<TermId>
{
    public static readonly TermId None = new(0, "");

    public bool IsNone => Counter == 0 && string.IsNullOrEmpty(ProposerId);

    public int CompareTo(TermId other)
    {
        var c = Counter.CompareTo(other.Counter);
        return c != 0 ? c : string.CompareOrdinal(ProposerId ?? "", other.ProposerId ?? "");
    }

    public static bool operator <(TermId a, TermId b) => a.CompareTo(b) < 0;
    public static bool operator >(TermId a, TermId b) => a.CompareTo(b) > 0;
    public static bool operator <=(TermId a, TermId b) => a.CompareTo(b) <= 0;
    public static bool operator >=(TermId a, TermId b) => a.CompareTo(b) >= 0;

    /// <summary>The smallest term above both <paramref name="seen"/> and this proposer's own history.</summary>
    public static TermId Next(TermId seen, string proposerId) => new(seen.Counter + 1, proposerId);

    public override string ToString() => IsNone ? "none" : $"{Counter}@{ProposerId}";
}
