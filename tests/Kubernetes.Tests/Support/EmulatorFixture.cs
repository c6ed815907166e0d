using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Forge.KubeApiEmulator;

namespace Forge.Kubernetes.Tests.Support;

/// <summary>
/// One in-process emulator per test class, with the repository's CRD loaded and a kubeconfig whose context
/// namespace is <c>cardano</c> (the guide's commands name no namespace). Runs kubectl through bash.
/// </summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public const string Namespace = "cardano";
    private const string Collection = "apis/cardano.io/v1/namespaces/cardano/cardanoforgeclusters";
    private readonly string _dir = Directory.CreateTempSubdirectory("kube-emu-").FullName;

    public KubeApiEmulatorServer Server { get; } = new(new EmulatorOptions { CrdPaths = [RepoPaths.Crd] });

    public HttpClient Http { get; private set; } = null!;

    public string KubeconfigPath => Path.Combine(_dir, "kubeconfig");

    public string WorkDir => _dir;

    /// <summary>The status a running coordinator would write, matching the guide's sample output.</summary>
    public static JsonObject SampleStatus(int priority, bool forging, bool healthy = true) => new()
    {
        ["effectiveState"] = "Priority-based",
        ["effectivePriority"] = priority,
        ["activeLeader"] = forging ? "cardano-bp-0" : "",
        ["forgingEnabled"] = forging,
        ["healthStatus"] = new JsonObject { ["healthy"] = healthy, ["consecutiveFailures"] = healthy ? 0 : 3 },
        ["observedGeneration"] = 1,
    };

    public async Task InitializeAsync()
    {
        await Server.StartAsync();
        Server.WriteKubeconfig(KubeconfigPath, Namespace);
        Http = new HttpClient { BaseAddress = Server.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    public async Task<Shell.Result> Kubectl(string script)
    {
        var result = await Shell.RunAsync(script, new Dictionary<string, string>
        {
            ["KUBECONFIG"] = KubeconfigPath,
            ["KUBECACHEDIR"] = Path.Combine(_dir, "cache"),
        }, RepoPaths.Root);
        return result.Stderr.Contains("kubectl: command not found", StringComparison.Ordinal)
            ? throw new InvalidOperationException("these tests run the real kubectl (1.32): none is on PATH")
            : result;
    }

    /// <summary>The three clusters of the guide (from the region overlays), with the status of its sample output.</summary>
    public async Task ResetClustersAsync()
    {
        (await Http.DeleteAsync(Collection)).EnsureSuccessStatusCode();
        foreach (var (region, priority) in new[] { ("us-east-1", 1), ("us-west-2", 2), ("eu-west-1", 3) })
        {
            Server.ApplyManifest(await File.ReadAllTextAsync(RepoPaths.RegionCluster(region)));
            await WriteStatusAsync($"{region}-prod", SampleStatus(priority, forging: priority == 1));
        }
    }

    public async Task WriteStatusAsync(string name, JsonObject status)
    {
        var body = new JsonObject { ["status"] = status.DeepClone() }.ToJsonString();
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        (await Http.PatchAsync($"{Collection}/{name}/status", content)).EnsureSuccessStatusCode();
    }

    public async Task<JsonObject?> GetClusterAsync(string name)
    {
        var response = await Http.GetAsync($"{Collection}/{name}");
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject() : null;
    }

    public async Task<JsonObject> CreateEventAsync(string involvedName, string reason, string message)
    {
        var cluster = await GetClusterAsync(involvedName) ?? throw new InvalidOperationException(involvedName);
        var ev = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["generateName"] = $"{involvedName}." },
            ["involvedObject"] = new JsonObject
            {
                ["apiVersion"] = "cardano.io/v1",
                ["kind"] = "CardanoForgeCluster",
                ["name"] = involvedName,
                ["namespace"] = Namespace,
                ["uid"] = cluster["metadata"]!["uid"]!.GetValue<string>(),
            },
            ["reason"] = reason,
            ["message"] = message,
            ["type"] = "Normal",
            ["count"] = 1,
            ["source"] = new JsonObject { ["component"] = "forge-coordinator" },
            ["firstTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            ["lastTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        };
        var response = await Http.PostAsync($"api/v1/namespaces/{Namespace}/events", new StringContent(ev.ToJsonString(), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }
}
