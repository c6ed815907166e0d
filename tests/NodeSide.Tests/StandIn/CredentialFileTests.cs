using Forge.NodeSide.Tests.Infrastructure;
using Forge.StandIn;
using Forge.StandIn.Credentials;

namespace Forge.NodeSide.Tests.StandIn;

/// <summary>The stand-in's credential checks on real files: the three classes cardano-node tells apart.</summary>
public sealed class CredentialFileTests : IDisposable
{
    private readonly TestDir _dir = new();
    private readonly CredentialFiles _files;

    public CredentialFileTests()
    {
        KeyGen.Write(_dir.Path, counter: 7, kesPeriod: 3);
        _files = new CredentialFiles(_dir[KeyGen.KesFile], _dir[KeyGen.VrfFile], _dir[KeyGen.OpCertFile]);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Valid_files_give_the_opcert_counter_and_kes_period() =>
        Assert.Equal(new OperationalCertificate(7, 3), Assert.IsType<CredentialCheck.Valid>(_files.Check()).OpCert);

    [Fact]
    public void A_missing_file_is_missing()
    {
        File.Delete(_dir[KeyGen.KesFile]);
        Assert.Equal(_dir[KeyGen.KesFile], Assert.IsType<CredentialCheck.Missing>(_files.Check()).Path);
    }

    [Theory]
    [InlineData("640")]
    [InlineData("604")]
    [InlineData("601")]
    public void A_vrf_key_with_group_or_other_bits_is_invalid(string mode)
    {
        File.SetUnixFileMode(_dir[KeyGen.VrfFile], (UnixFileMode)Convert.ToInt32(mode, 8));
        Assert.Contains("permissions", Assert.IsType<CredentialCheck.Invalid>(_files.Check()).Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(KeyGen.KesFile, """{"type":"VrfSigningKey_PraosVRF","description":"","cborHex":"5840"}""")]
    [InlineData(KeyGen.VrfFile, """{"type":"VrfSigningKey_PraosVRF","description":"","cborHex":"5801ff"}""")]
    [InlineData(KeyGen.OpCertFile, """{"type":"NodeOperationalCertificate","description":"","cborHex":"8200"}""")]
    [InlineData(KeyGen.OpCertFile, "not json")]
    [InlineData(KeyGen.KesFile, """{"type":"KesSigningKey_ed25519_kes_2^6","cborHex":"zz"}""")]
    public void Bad_content_is_invalid_never_missing(string file, string content)
    {
        File.WriteAllText(_dir[file], content);
        var invalid = Assert.IsType<CredentialCheck.Invalid>(_files.Check());
        Assert.Equal(_dir[file], invalid.Path);
        Assert.DoesNotContain("cborHex", invalid.Reason, StringComparison.Ordinal);
    }
}
