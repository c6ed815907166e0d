using Akka.Actor;
using Akka.Serialization;

namespace Forge.Protocol;

/// <summary>
/// Akka.NET serializer for every <see cref="IForgeWireMessage"/> (bound in hocon/serialization.conf), so messages that
/// cross regions never fall back to Akka's default JSON serializer.
/// </summary>
public sealed class ForgeWireSerializer : SerializerWithStringManifest
{
    /// <summary>Akka serializer id; ids below 100 are reserved by Akka.</summary>
    public const int Id = 7411;

    public ForgeWireSerializer(ExtendedActorSystem system) : base(system) { }

    public override int Identifier => Id;

    public override string Manifest(object o) => o is IForgeWireMessage m
        ? WireCodec.ManifestOf(m)
        : throw new ArgumentException($"{o.GetType()} is not an IForgeWireMessage", nameof(o));

    public override byte[] ToBinary(object obj) => obj is IForgeWireMessage m
        ? WireCodec.Encode(m)
        : throw new ArgumentException($"{obj.GetType()} is not an IForgeWireMessage", nameof(obj));

    public override object FromBinary(byte[] bytes, string manifest) => WireCodec.Decode(manifest, bytes);
}
