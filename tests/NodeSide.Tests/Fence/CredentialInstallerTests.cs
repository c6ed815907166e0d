using Forge.Fence.Node;
using Forge.NodeSide.Tests.Infrastructure;

namespace Forge.NodeSide.Tests.Fence;

public sealed class CredentialInstallerTests : IDisposable
{
    private readonly TestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Installs_0600_copies_atomically_and_removes_them_idempotently()
    {
        var source = _dir.Sub("source");
        var target = _dir.Sub("target");
        StandInSpec.WriteCredentials(source);
        foreach (var f in Directory.EnumerateFiles(source)) File.SetUnixFileMode(f, (UnixFileMode)Convert.ToInt32("644", 8));
        var installer = new CredentialInstaller(
            [.. new[] { "kes.skey", "vrf.skey", "node.cert" }.Select(n => (Path.Combine(source, n), Path.Combine(target, n)))]);

        installer.Install();
        installer.Install(); // over existing files
        Assert.All(Directory.EnumerateFiles(target, "*", new EnumerationOptions { AttributesToSkip = 0 }), f =>
        {
            Assert.False(Path.GetFileName(f).StartsWith('.'), "no temp file left behind");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f));
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, Path.GetFileName(f))), File.ReadAllBytes(f));
        });
        Assert.Equal(3, Directory.EnumerateFiles(target).Count());

        installer.Remove();
        installer.Remove();
        Assert.Empty(Directory.EnumerateFiles(target));
        Assert.False(installer.AnyInstalled());
    }

    [Fact]
    public void A_missing_source_fails_the_install_and_leaves_nothing_installed()
    {
        var source = _dir.Sub("source");
        var target = _dir.Sub("target");
        StandInSpec.WriteCredentials(source);
        File.Delete(Path.Combine(source, "node.cert"));
        var installer = new CredentialInstaller(
            [.. new[] { "kes.skey", "vrf.skey", "node.cert" }.Select(n => (Path.Combine(source, n), Path.Combine(target, n)))]);

        var error = Assert.Throws<IOException>(installer.Install);
        Assert.Contains("missing source", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(target));
    }
}
