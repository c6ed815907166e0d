using System.Diagnostics;

namespace Forge.FaultInjection.Running;

/// <summary>kubectl against the sandbox's kubeconfig, with a deadline.</summary>
public sealed class Kubectl(string kubeconfig)
{
    public const string Resource = "cardanoforgeclusters";

    public (int Code, string Out) Run(params string[] args)
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["KUBECONFIG"] = kubeconfig;
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            p.Kill(entireProcessTree: true);
            return (-1, "kubectl timed out: " + string.Join(' ', args));
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>A merge patch of one cluster's object, in its own region's context; throws when kubectl refuses it.</summary>
    public void Patch(string context, string name, string json)
    {
        var (code, output) = Run("--context", context, "patch", Resource, name, "--type", "merge", "-p", json);
        if (code != 0) throw new InvalidOperationException($"kubectl patch {name} {json}: {output}");
    }
}
