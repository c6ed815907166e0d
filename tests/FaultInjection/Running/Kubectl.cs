using System.Diagnostics;
using System.Text.Json.Nodes;

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

    /// <summary>Whether a cluster other than <paramref name="cluster"/> shows condition Eligible=True in the current
    /// context's status: a failover has somewhere to go (right after a start the standbys are still catching up, and a
    /// fault then measures their sync, not a failover).</summary>
    public bool AnotherClusterEligible(string cluster)
    {
        var (code, json) = Run("get", Resource, "-o", "json");
        if (code != 0) return false;
        return (JsonNode.Parse(json)?["items"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(o => o["metadata"]?["name"]?.GetValue<string>() != cluster)
            .Any(o => (o["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
                .Any(c => c["type"]?.GetValue<string>() == "Eligible" && c["status"]?.GetValue<string>() == "True"));
    }

    /// <summary>A merge patch of one cluster's object, in its own region's context; throws when kubectl refuses it.</summary>
    public void Patch(string context, string name, string json)
    {
        var (code, output) = Run("--context", context, "patch", Resource, name, "--type", "merge", "-p", json);
        if (code != 0) throw new InvalidOperationException($"kubectl patch {name} {json}: {output}");
    }
}
