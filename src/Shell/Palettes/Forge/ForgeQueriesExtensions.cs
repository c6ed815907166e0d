namespace Forge.Shell.Palettes.Forge;

internal static class ForgeQueriesExtensions
{
    /// <summary>Watches until a snapshot satisfies <paramref name="condition"/> (Match) or the token fires (Match null);
    /// Last is the latest snapshot seen either way, for the report.</summary>
    public static async Task<(ForgeSnapshot? Match, ForgeSnapshot? Last)> WaitForAsync(
        this IForgeQueries queries, Func<ForgeSnapshot, bool> condition, CancellationToken ct)
    {
        ForgeSnapshot? last = null;
        try
        {
            await foreach (var s in queries.WatchAsync(ct).ConfigureAwait(false))
            {
                last = s;
                if (condition(s)) return (s, s);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        return (null, last);
    }
}
