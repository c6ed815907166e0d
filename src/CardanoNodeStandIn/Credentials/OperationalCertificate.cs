using System.Formats.Cbor;

namespace Forge.StandIn.Credentials;

/// <summary>
/// The opcert as cardano-cli writes it: <c>[[kes_vkey(32), counter, kes_period, sigma(64)], cold_vkey(32)]</c> in CBOR.
/// The counter and the start KES period are what the node, the agent and the coordinator care about.
/// </summary>
internal sealed record OperationalCertificate(ulong Counter, ulong KesPeriod)
{
    public static OperationalCertificate FromEnvelope(TextEnvelope envelope)
    {
        if (envelope.Type != TextEnvelope.OpCertType)
            throw new FormatException($"expected type {TextEnvelope.OpCertType}, found {envelope.Type}");
        try
        {
            var r = new CborReader(envelope.Cbor);
            if (r.ReadStartArray() != 2) throw new FormatException("opcert: expected [body, cold vkey]");
            if (r.ReadStartArray() != 4) throw new FormatException("opcert: expected a 4-field body");
            Expect(r.ReadByteString(), 32, "KES verification key");
            var counter = r.ReadUInt64();
            var period = r.ReadUInt64();
            Expect(r.ReadByteString(), 64, "signature");
            r.ReadEndArray();
            Expect(r.ReadByteString(), 32, "cold verification key");
            r.ReadEndArray();
            if (r.BytesRemaining != 0) throw new FormatException("opcert: trailing bytes");
            return new OperationalCertificate(counter, period);
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException)
        {
            throw new FormatException("opcert: bad CBOR");
        }
    }

    public TextEnvelope ToEnvelope(byte[] kesVkey, byte[] sigma, byte[] coldVkey)
    {
        var w = new CborWriter();
        w.WriteStartArray(2);
        w.WriteStartArray(4);
        w.WriteByteString(kesVkey);
        w.WriteUInt64(Counter);
        w.WriteUInt64(KesPeriod);
        w.WriteByteString(sigma);
        w.WriteEndArray();
        w.WriteByteString(coldVkey);
        w.WriteEndArray();
        return new TextEnvelope(TextEnvelope.OpCertType, "", w.Encode());
    }

    private static void Expect(byte[] bytes, int size, string what)
    {
        if (bytes.Length != size) throw new FormatException($"opcert: {what} has the wrong size");
    }
}
