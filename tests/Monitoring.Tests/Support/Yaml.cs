using YamlDotNet.Serialization;

namespace Forge.Monitoring.Tests.Support;

/// <summary>YAML as plain data: mappings, sequences and scalar strings.</summary>
internal static class Yaml
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    public static object? Load(string path) => Deserializer.Deserialize<object?>(File.ReadAllText(path));

    public static IDictionary<object, object?> Map(object? node) =>
        node as IDictionary<object, object?> ?? throw new InvalidDataException($"expected a mapping, got {node?.GetType().Name ?? "null"}");

    public static IList<object?> Seq(object? node) =>
        node as IList<object?> ?? throw new InvalidDataException($"expected a sequence, got {node?.GetType().Name ?? "null"}");

    public static object? Get(object? node, string key) => Map(node).TryGetValue(key, out var value) ? value : null;

    public static string? Str(object? node, string key) => Get(node, key) as string;

    /// <summary>Structural equality of two loaded documents.</summary>
    public static bool DeepEquals(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (IDictionary<object, object?> x, IDictionary<object, object?> y) =>
            x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var v) && DeepEquals(kv.Value, v)),
        (IList<object?> x, IList<object?> y) => x.Count == y.Count && x.Zip(y).All(p => DeepEquals(p.First, p.Second)),
        _ => Equals(a, b),
    };
}
