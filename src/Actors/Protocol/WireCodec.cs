using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Forge.Protocol;

/// <summary>
/// The one encoding of <see cref="IForgeWireMessage"/>s: UTF-8 JSON (System.Text.Json, camelCase, enums as
/// strings) with a string manifest naming the type. Used by the Akka serializer and by the agent's TLS link.
/// Manifests are the types' short names; a test pins the list, so renaming a wire type is a visible protocol change.
/// </summary>
public static class WireCodec
{
    public static readonly JsonSerializerOptions Json = CreateOptions();

    private static readonly FrozenDictionary<string, Type> TypesByManifest = ScanWireTypes();

    public static IReadOnlyCollection<string> Manifests => TypesByManifest.Keys;

    public static string ManifestOf(IForgeWireMessage message) => message.GetType().Name;

    public static byte[] Encode(IForgeWireMessage message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), Json);

    public static IForgeWireMessage Decode(string manifest, ReadOnlySpan<byte> payload)
    {
        if (!TypesByManifest.TryGetValue(manifest, out var type))
            throw new WireFormatException($"unknown wire manifest '{manifest}'");
        try
        {
            return (IForgeWireMessage)(JsonSerializer.Deserialize(payload, type, Json)
                ?? throw new WireFormatException($"empty payload for '{manifest}'"));
        }
        catch (Exception e) when (e is JsonException or ArgumentException or FormatException or NotSupportedException)
        {
            throw new WireFormatException($"malformed '{manifest}': {e.Message}", e);
        }
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            RespectNullableAnnotations = true,
        };
        o.Converters.Add(new JsonStringEnumConverter());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    private static FrozenDictionary<string, Type> ScanWireTypes()
    {
        var types = typeof(IForgeWireMessage).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IForgeWireMessage).IsAssignableFrom(t))
            .ToList();
        var duplicates = types.GroupBy(t => t.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
            throw new InvalidOperationException($"wire types must have unique names: {string.Join(", ", duplicates)}");
        return types.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);
    }
}

/// <summary>A frame or payload that is not a valid wire message. The link that received it is closed.</summary>
public sealed class WireFormatException : Exception
{
    public WireFormatException(string message) : base(message) { }
    public WireFormatException(string message, Exception inner) : base(message, inner) { }
    public WireFormatException() { }
}
