using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

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

    /// <summary>The reflection options every wire type is encoded with (the agent protocol's generated code uses the
    /// same settings, <see cref="AgentWireJson"/>). Not available in the Native AOT agent.</summary>
    public static JsonSerializerOptions Json
    {
        [RequiresUnreferencedCode("reflection-based JSON"), RequiresDynamicCode("reflection-based JSON")]
        get => ReflectionWire.Options;
    }

    private static readonly FrozenDictionary<string, JsonTypeInfo> AgentManifests =
        AgentWireJson.ByType.Values.ToFrozenDictionary(i => ManifestOf(i.Type), StringComparer.Ordinal);

    public static string ManifestOf(IForgeWireMessage message) => ManifestOf(message.GetType());

    private static string ManifestOf(Type type)
    {
        var name = type.FullName!;
        return name.StartsWith(Prefix, StringComparison.Ordinal) ? name[Prefix.Length..] : name;
    }

    public static byte[] Encode(IForgeWireMessage message)
    {
        if (AgentWireJson.ByType.TryGetValue(message.GetType(), out var info))
            return JsonSerializer.SerializeToUtf8Bytes(message, info);
        // the branch a Native AOT build (the agent) compiles away: it sends agent-protocol messages only
        return RuntimeFeature.IsDynamicCodeSupported
            ? ReflectionWire.Encode(message)
            : throw new NotSupportedException($"{message.GetType().Name} is not an agent protocol message");
    }

    public static IForgeWireMessage Decode(string manifest, ReadOnlySpan<byte> payload)
    {
        var info = AgentManifests.GetValueOrDefault(manifest);
        try
        {
            object? message;
            if (info is not null) message = JsonSerializer.Deserialize(payload, info);
            else if (RuntimeFeature.IsDynamicCodeSupported) message = ReflectionWire.Decode(manifest, payload);
            else throw new WireFormatException($"unknown wire manifest '{manifest}'");
            return (IForgeWireMessage)(message ?? throw new WireFormatException($"empty payload for '{manifest}'"));
        }
        catch (Exception e) when (e is JsonException or ArgumentException or FormatException or NotSupportedException)
        {
            throw new WireFormatException($"malformed '{manifest}': {e.Message}", e);
        }
    }

    /// <summary>The coordinator-internal wire types (Akka remoting): reflection-based, resolved by name only.</summary>
    [RequiresUnreferencedCode("reflection-based JSON"), RequiresDynamicCode("reflection-based JSON")]
    private static class ReflectionWire
    {
        public static readonly JsonSerializerOptions Options = CreateOptions();

        private static readonly Assembly Home = typeof(IForgeWireMessage).Assembly;
        private static readonly ConcurrentDictionary<string, Type?> Resolved = new(StringComparer.Ordinal);

        public static byte[] Encode(IForgeWireMessage message) =>
            JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), Options);

        public static object? Decode(string manifest, ReadOnlySpan<byte> payload)
        {
            var type = Resolved.GetOrAdd(manifest, static m =>
                Home.GetType(Prefix + m, throwOnError: false) is { IsAbstract: false } t && typeof(IForgeWireMessage).IsAssignableFrom(t) ? t : null)
                ?? throw new WireFormatException($"unknown wire manifest '{manifest}'");
            return JsonSerializer.Deserialize(payload, type, Options);
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
}

/// <summary>A frame or payload that is not a valid wire message. The link that received it is closed.</summary>
public sealed class WireFormatException : Exception
{
    public WireFormatException(string message) : base(message) { }
    public WireFormatException(string message, Exception inner) : base(message, inner) { }
    public WireFormatException() { }
}
