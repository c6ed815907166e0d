using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text.Json;
using Forge.NodeAgent.Config;
using Forge.Protocol;

namespace Forge.NodeAgent.Credentials;

/// <summary>What the agent knows about its source credentials: a fingerprint, or the problem that makes it ineligible.</summary>
internal sealed record CredentialReport(CredentialFingerprint? Fingerprint, string? Problem)
{
    public bool Ok => Problem is null && Fingerprint is not null;
}

/// <summary>
/// Fingerprints the mounted Secret: SHA-256, counter and start KES period of the operational certificate (public data).
/// The KES and VRF keys are only checked for presence and mode (cardano-node refuses a VRF key readable by group or
/// other); their bytes are never read, logged or sent. Problems are described by path, never by content.
/// </summary>
internal static class CredentialInspector
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static CredentialReport Inspect(CredentialSources sources)
    {
        foreach (var (path, what) in new[] { (sources.KesKey, "KES key"), (sources.VrfKey, "VRF key"), (sources.OpCert, "opcert") })
        {
            if (!File.Exists(path)) return new CredentialReport(null, $"source {what} missing: {path}");
        }
        if ((File.GetUnixFileMode(sources.VrfKey) & GroupOrOther) != 0)
            return new CredentialReport(null, $"source VRF key {sources.VrfKey} is accessible by group or other (cardano-node refuses it)");
        try
        {
            var bytes = File.ReadAllBytes(sources.OpCert);
            var (counter, period) = ParseOpCert(bytes);
            var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
            return new CredentialReport(new CredentialFingerprint(hash, counter, period, null), null);
        }
        catch (FormatException e)
        {
            return new CredentialReport(null, $"opcert {sources.OpCert}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new CredentialReport(null, $"opcert {sources.OpCert} unreadable: {e.GetType().Name}");
        }
    }

    /// <summary>cardano-cli's text envelope around <c>[[kes_vkey, counter, kes_period, sigma], cold_vkey]</c>.</summary>
    public static (long Counter, int KesPeriod) ParseOpCert(byte[] envelopeJson)
    {
        byte[] cbor;
        try
        {
            using var doc = JsonDocument.Parse(envelopeJson);
            if (doc.RootElement.GetProperty("type").GetString() != "NodeOperationalCertificate")
                throw new FormatException("not a NodeOperationalCertificate text envelope");
            cbor = Convert.FromHexString(doc.RootElement.GetProperty("cborHex").GetString() ?? "");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException("not a text envelope");
        }
        try
        {
            var r = new CborReader(cbor);
            r.ReadStartArray();
            r.ReadStartArray();
            r.ReadByteString();
            var counter = checked((long)r.ReadUInt64());
            var period = checked((int)r.ReadUInt64());
            return (counter, period);
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or OverflowException)
        {
            throw new FormatException("opcert CBOR is not [[kes_vkey, counter, kes_period, sigma], cold_vkey]");
        }
    }
}
