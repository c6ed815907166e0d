using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Forge.Protocol;

/// <summary>
/// A cardano-node's identity everywhere in the product: <c>&lt;cluster&gt;/&lt;pod&gt;</c>, e.g.
/// <c>us-east-1-prod/cardano-bp-0</c>. Pod names repeat across regions, so the pod alone never identifies a node.
/// </summary>
[JsonConverter(typeof(NodeIdJsonConverter))]
public readonly partial record struct NodeId : IComparable<NodeId>
{
    public NodeId(string cluster, string pod)
    {
        if (!IsDnsLabel(cluster)) throw new ArgumentException($"cluster name '{cluster}' is not a DNS-1123 name", nameof(cluster));
        if (!IsDnsLabel(pod)) throw new ArgumentException($"pod name '{pod}' is not a DNS-1123 name", nameof(pod));
        Cluster = cluster;
        Pod = pod;
    }

    public string Cluster { get; }
    public string Pod { get; }

    public override string ToString() => $"{Cluster}/{Pod}";

    public int CompareTo(NodeId other) => string.CompareOrdinal(ToString(), other.ToString());

    public static bool operator <(NodeId a, NodeId b) => a.CompareTo(b) < 0;
    public static bool operator >(NodeId a, NodeId b) => a.CompareTo(b) > 0;
    public static bool operator <=(NodeId a, NodeId b) => a.CompareTo(b) <= 0;
    public static bool operator >=(NodeId a, NodeId b) => a.CompareTo(b) >= 0;

    public static NodeId Parse(string text) =>
        TryParse(text, out var id, out var error) ? id : throw new FormatException(error);

    public static bool TryParse(string? text, out NodeId id, out string error)
    {
        id = default;
        var slash = text?.IndexOf('/') ?? -1;
        if (text is null || slash <= 0 || slash != text.LastIndexOf('/'))
        {
            error = $"node identity '{text}' must be '<cluster>/<pod>'";
            return false;
        }
        var (cluster, pod) = (text[..slash], text[(slash + 1)..]);
        if (!IsDnsLabel(cluster) || !IsDnsLabel(pod))
        {
            error = $"node identity '{text}': cluster and pod must be DNS-1123 names";
            return false;
        }
        id = new NodeId(cluster, pod);
        error = "";
        return true;
    }

    public static bool IsDnsLabel(string? s) => s is { Length: > 0 and <= 253 } && DnsLabel().IsMatch(s);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}

internal sealed class NodeIdJsonConverter : JsonConverter<NodeId>
{
    public override NodeId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        NodeId.TryParse(reader.GetString(), out var id, out var error) ? id : throw new JsonException(error);

    public override void Write(Utf8JsonWriter writer, NodeId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
