using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Forge.Arbiter;
using Forge.Coordinator.Metrics;
using Forge.Decider;
using Forge.Kubernetes;
using Forge.Protocol;

namespace Forge.Coordinator.Tests.Metrics;

/// <summary>What the metrics specs feed the series with (verdicts, pool states, nodes) and read them back with (a
/// scrape). Specs that need an ActorSystem derive from it: a TestKit whose local EventStream carries the facts, as in
/// production; the others use the static members.</summary>
public abstract class MetricsFixtures : TestKit
{
    protected MetricsFixtures()
    {
    }

    protected MetricsFixtures(string config) : base(config)
    {
    }

    /// <summary>Delivers every published <typeparamref name="T"/> to the test actor.</summary>
    protected void Watch<T>() => Sys.EventStream.Subscribe(TestActor, typeof(T));

    protected void Publish(object fact) => Sys.EventStream.Publish(fact);

    /// <summary>A cluster-provider system on a loopback port (the listener's facts need no cluster to join).</summary>
    protected const string ClusterSystem = """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.loglevel = WARNING
        """;

    /// <summary>Metrics of region us-east-1 with a listener subscribed to the EventStream.</summary>
    protected async Task<CoordinatorMetrics> ListeningMetrics()
    {
        var metrics = new CoordinatorMetrics();
        metrics.Attach(Sys, "us-east-1");
        var listener = Sys.ActorOf(MetricsListener.Props(metrics, null));
        await listener.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(5)); // subscribed from here on
        return metrics;
    }

    public static ClusterVerdict Verdict(string name, string state = ForgeStates.PriorityBasedText, string reason = "Standby",
        bool healthy = true, bool overrideActive = false, bool failbackPending = false, NodeId? leader = null)
    {
        var at = DateTimeOffset.UnixEpoch;
        ClusterCondition Cond(string type, bool on) => new(type, on ? "True" : "False", type, "", at);
        return new ClusterVerdict(name, state, 1, reason != "Disabled", healthy, leader is not null, leader, reason, "",
            [Cond(ConditionTypes.Forging, leader is not null), Cond(ConditionTypes.Healthy, healthy),
             Cond(ConditionTypes.OverrideActive, overrideActive), Cond(ConditionTypes.FailbackPending, failbackPending)]);
    }

    public static PoolState State(NodeId? holder, params ClusterVerdict[] clusters) => State(holder, holder, clusters);

    public static PoolState State(NodeId? holder, NodeId? target, params ClusterVerdict[] clusters) =>
        new("pool1", target, holder, null, holder is null ? TermId.None : new TermId(1, "p"), "idle", "test",
            [.. clusters], [], [], DateTimeOffset.UtcNow);

    public static NodeId Node(string cluster, string pod = "cardano-bp-0") => new(cluster, pod);

    /// <summary>The registry as Prometheus would scrape it: "name{labels}" → value.</summary>
    public static async Task<Dictionary<string, double>> Scrape(CoordinatorMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray()).Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => (Key: l[..l.LastIndexOf(' ')], Value: double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))
            .ToDictionary(x => x.Key, x => x.Value);
    }
}

/// <summary>An actor reference with a remote address (another coordinator's arbiter) that drops what it is sent.</summary>
internal sealed class RemotePretender(IActorRefProvider provider) : MinimalActorRef
{
    public override ActorPath Path { get; } =
        new RootActorPath(new Address("akka.tcp", "forge", "10.0.0.7", 2552)) / "user" / "forge-arbiter" / "forge-arbiter";

    public override IActorRefProvider Provider { get; } = provider;
}

/// <summary>An in-memory region API: listed resources, recorded status writes, a watch the test feeds.</summary>
internal sealed class MemoryClusterApi : IForgeClusterApi
{
    public ConcurrentDictionary<string, JsonObject> Objects { get; } = new();
    public ConcurrentQueue<(string Name, JsonObject Status)> StatusWrites { get; } = new();
    public Channel<ForgeClusterChange> Watch { get; } = Channel.CreateUnbounded<ForgeClusterChange>();

    public void Add(string name, string region, int priority) => Objects[name] = new JsonObject
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = name, ["uid"] = name + "-uid", ["resourceVersion"] = "11", ["generation"] = 1,
            ["creationTimestamp"] = "2026-01-01T00:00:00Z",
        },
        ["spec"] = new JsonObject { ["region"] = region, ["priority"] = priority, ["forgeState"] = "Priority-based", ["pool"] = new JsonObject { ["id"] = "pool1" } },
    };

    public Task<(IReadOnlyList<ForgeClusterObject> Items, string ResourceVersion)> ListAsync(CancellationToken ct) =>
        Task.FromResult<(IReadOnlyList<ForgeClusterObject>, string)>((Objects.Values.Select(ForgeClusterObject.FromJson).ToList(), "11"));

    public async IAsyncEnumerable<ForgeClusterChange> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var c in Watch.Reader.ReadAllAsync(ct)) yield return c;
    }

    public Task PatchStatusAsync(string name, JsonObject status, CancellationToken ct)
    {
        StatusWrites.Enqueue((name, status));
        return Task.CompletedTask;
    }

    public Task PatchSpecAsync(string name, JsonObject specPatch, CancellationToken ct) => Task.CompletedTask;
    public Task CreateAsync(string name, JsonObject spec, CancellationToken ct) => Task.CompletedTask;
    public Task DeleteAsync(string name, string uid, CancellationToken ct) => Task.CompletedTask;
    public Task RecordEventAsync(ForgeClusterObject about, string type, string reason, string message, CancellationToken ct) => Task.CompletedTask;
}
