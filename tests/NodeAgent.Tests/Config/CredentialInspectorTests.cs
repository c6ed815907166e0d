using System.Diagnostics;
using Forge.NodeAgent.Config;
using Forge.NodeAgent.Credentials;
using Forge.NodeAgent.Tests.Infrastructure;
using Xunit;

namespace Forge.NodeAgent.Tests.Config;

public sealed class CredentialInspectorTests : IDisposable
{
    private readonly TempDir _dir = new("forge-creds");

    public void Dispose() => _dir.Dispose();

    private CredentialSources Generate(int counter, int kesPeriod)
    {
        var info = new ProcessStartInfo(Binaries.StandIn) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "standin-keygen", "--out", _dir.Path, "--counter", counter.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--kes-period", kesPeriod.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(a);
        using (var p = Process.Start(info)!) p.WaitForExit();
        return new CredentialSources(_dir["kes.skey"], _dir["vrf.skey"], _dir["node.cert"]);
    }

    [Fact]
    public void The_fingerprint_is_the_opcert_hash_counter_and_kes_period_and_never_key_material()
    {
        var sources = Generate(7, 412);
        var report = CredentialInspector.Inspect(sources);
        Assert.True(report.Ok, report.Problem);
        Assert.Equal(7, report.Fingerprint!.OpcertCounter);
        Assert.Equal(412, report.Fingerprint.KesPeriod);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(sources.OpCert))),
            report.Fingerprint.OpcertHash);
        var text = report.ToString();
        foreach (var key in new[] { sources.KesKey, sources.VrfKey })
        {
            var cbor = System.Text.Json.JsonDocument.Parse(File.ReadAllText(key)).RootElement.GetProperty("cborHex").GetString()!;
            Assert.DoesNotContain(cbor[..32], text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void A_vrf_key_readable_by_others_or_a_missing_file_makes_the_node_ineligible()
    {
        var sources = Generate(1, 0);
        File.SetUnixFileMode(sources.VrfKey, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        Assert.Contains("accessible by group or other", CredentialInspector.Inspect(sources).Problem, StringComparison.Ordinal);
        File.SetUnixFileMode(sources.VrfKey, UnixFileMode.UserRead);
        File.Delete(sources.OpCert);
        Assert.Contains("source opcert missing", CredentialInspector.Inspect(sources).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_an_opcert_is_described_without_its_content()
    {
        var sources = Generate(1, 0);
        File.WriteAllText(sources.OpCert, "{\"type\":\"NodeOperationalCertificate\",\"cborHex\":\"00ff\"}");
        var report = CredentialInspector.Inspect(sources);
        Assert.False(report.Ok);
        Assert.DoesNotContain("00ff", report.Problem, StringComparison.Ordinal);
    }
}
