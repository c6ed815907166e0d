using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Forge.Protocol;

/// <summary>
/// The one encoding of <see cref="IForgeWireMessage"/>s: UTF-8 JSON (System.Text.Json, camelCase, enums as
/// strings) with a string manifest naming the type. Used by the Akka serializer and by the agent's TLS link.
/// The manifest is the type's full name without the <c>Forge.</c> prefix (e.g. <c>Protocol.Renewed</c>), resolved on
/// decode by name only: no assembly scan, so the agent never loads the Akka assemblies the actor types need.
/// Renaming or moving a wire type is therefore a visible protocol change.
/// </summary>
public static class WireCodec
{
    private const string Prefix = "Forge.";

    public static readonly JsonSerializerOptions Json = CreateOptions();

    private static readonly Assembly Home = typeof(IForgeWireMessage).Assembly;
    private static readonly ConcurrentDictionary<string, Type?> Resolved = new(StringComparer.Ordinal);

    public static string ManifestOf(IForgeWireMessage message)
    {
        var name = message.GetType().FullName!;
        return name.StartsWith(Prefix, StringComparison.Ordinal) ? name[Prefix.Length..] : name;
    }

    public static byte[] Encode(IForgeWireMessage message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), Json);

    public static IForgeWireMessage Decode(string manifest, ReadOnlySpan<byte> payload)
    {
        var type = Resolved.GetOrAdd(manifest, static m =>
            Home.GetType(Prefix + m, throwOnError: false) is { IsAbstract: false } t && typeof(IForgeWireMessage).IsAssignableFrom(t) ? t : null)
            ?? throw new WireFormatException($"unknown wire manifest '{manifest}'");
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
}

/// <summary>A frame or payload that is not a valid wire message. The link that received it is closed.</summary>
public sealed class WireFormatException : Exception
{
    public WireFormatException(string message) : base(message) { }
    public WireFormatException(string message, Exception inner) : base(message, inner) { }
    public WireFormatException() { }
}
