using Forge.Kubernetes.Tests.Support;

namespace Forge.Kubernetes.Tests.Emulator;

/// <summary>The kube-api-emulator executable: first line names the URL, the kubeconfig works, the fault hooks answer, SIGTERM stops it.</summary>
public sealed class ExecutableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kube-emu-exe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Starts_on_a_free_port_writes_a_kubeconfig_and_serves_kubectl()
    {
        var kubeconfig = Path.Combine(_dir, "kubeconfig");
        var dll = Path.Combine(AppContext.BaseDirectory, "kube-api-emulator.dll");
        await using var emulator = BackgroundProcess.Start("dotnet", [dll, "--port", "0", "--crd", RepoPaths.Crd, "--namespace", "cardano", "--kubeconfig", kubeconfig], new Dictionary<string, string>());

        var first = await emulator.LineAsync(_ => true, TimeSpan.FromSeconds(30));
        Assert.Matches(@"^listening http://127\.0\.0\.1:\d+$", first);
        await emulator.LineAsync(l => l.StartsWith("kubeconfig ", StringComparison.Ordinal));
        var url = first["listening ".Length..];
        var env = new Dictionary<string, string> { ["KUBECONFIG"] = kubeconfig, ["KUBECACHEDIR"] = Path.Combine(_dir, "cache") };

        var empty = await Shell.RunAsync("kubectl get cardanoforgeclusters", env, _dir);
        Assert.Equal("No resources found in cardano namespace.\n", empty.Stderr);

        var down = await Shell.RunAsync($"curl -sf -XPOST '{url}/_emulator/fault?mode=unavailable' >/dev/null && kubectl get cardanoforgeclusters", env, _dir);
        Assert.NotEqual(0, down.ExitCode);
        Assert.Contains("the server is currently unable to handle the request", down.Stderr);

        var up = await Shell.RunAsync($"curl -sf -XPOST '{url}/_emulator/fault?mode=none' >/dev/null && kubectl get cardanoforgeclusters", env, _dir);
        Assert.Equal(0, up.ExitCode);

        await Shell.RunAsync($"kill -TERM {emulator.Id}", env, _dir);
        Assert.True(await emulator.ExitsWithinAsync(TimeSpan.FromSeconds(15)), "SIGTERM did not stop the emulator");
    }
}
