using System.Formats.Cbor;
using System.Text.Json;

namespace Forge.StandIn.Credentials;

/// <summary>
/// cardano-cli's text envelope: <c>{"type": "...", "description": "...", "cborHex": "..."}</c>. The stand-in checks the
/// type and the CBOR shape of each credential, as cardano-node does when it deserialises them; it never checks keys
/// against each other (no cryptography), and it never prints the contents.
/// </summary>
internal sealed record TextEnvelope(string Type, string Description, byte[] Cbor)
{
    public const string KesType = "KesSigningKey_ed25519_kes_2^6";
    public const string VrfType = "VrfSigningKey_PraosVRF";
    public const string OpCertType = "NodeOperationalCertificate";
    public const int KesKeyBytes = 608;
    public const int VrfKeyBytes = 64;

    /// <exception cref="FormatException">with a message that names the problem, never the content</exception>
    public static TextEnvelope Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var type = root.GetProperty("type").GetString() ?? throw new FormatException("'type' is null");
            var description = root.TryGetProperty("description", out var d) ? d.GetString() ?? "" : "";
            var hex = root.GetProperty("cborHex").GetString() ?? throw new FormatException("'cborHex' is null");
            return new TextEnvelope(type, description, Convert.FromHexString(hex));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException("not a cardano-cli text envelope");
        }
    }

    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = Type,
        ["description"] = Description,
        ["cborHex"] = Convert.ToHexStringLower(Cbor),
    });

    /// <summary>A signing key envelope is one CBOR byte string of the key's size.</summary>
    public void ExpectKey(string expectedType, int size)
    {
        if (Type != expectedType) throw new FormatException($"expected type {expectedType}, found {Type}");
        try
        {
            var reader = new CborReader(Cbor);
            var key = reader.ReadByteString();
            if (key.Length != size || reader.BytesRemaining != 0) throw new FormatException($"{Type}: wrong key size");
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException)
        {
            throw new FormatException($"{Type}: bad CBOR");
        }
    }

    public static TextEnvelope Key(string type, string description, byte[] key)
    {
        var writer = new CborWriter();
        writer.WriteByteString(key);
        return new TextEnvelope(type, description, writer.Encode());
    }
}
