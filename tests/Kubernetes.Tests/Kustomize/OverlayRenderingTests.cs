using System.Text.Json.Nodes;
using Forge.KubeApiEmulator;
using Forge.KubeApiEmulator.Json;
using Forge.Kubernetes.Tests.Support;

namespace Forge.Kubernetes.Tests.Kustomize;

/// <summary>Every overlay renders with the real kubectl kustomize and keeps the names and limits the guide and DESIGN rely on.</summary>
public sealed class OverlayRenderingTests
{
    public static TheoryData<string> Overlays => new() { "sidecar", "single-cluster", "us-east-1", "us-west-2", "eu-west-1" };

    public static TheoryData<string, int> Regions => new() { { "us-east-1", 1 }, { "us-west-2", 2 }, { "eu-west-1", 3 } };

    /// <summary>
    /// The coordinators' rights: exactly what KubernetesForgeClusterApi calls (list, watch, create, merge patch and
    /// delete of CardanoForgeClusters; merge patch of their status; create of core Events) and KubernetesPodFenceApi
    /// (get + delete of a pod). A verb without a caller fails here; a call without its verb fails Actors.Tests'
    /// KubernetesApiAgainstEmulatorTests and PodFenceApiAgainstEmulatorTests, which make every call as this account under the Role.
    /// </summary>
    private static readonly HashSet<string> CoordinatorRights =
    [
        "cardano.io/cardanoforgeclusters:list", "cardano.io/cardanoforgeclusters:watch", "cardano.io/cardanoforgeclusters:create",
        "cardano.io/cardanoforgeclusters:patch", "cardano.io/cardanoforgeclusters:delete",
        "cardano.io/cardanoforgeclusters/status:patch",
        "/events:create",
        "/pods:get", "/pods:delete",
    ];

    /// <summary>The node pods' rights, and only with the lease-rights component: Leases for single-cluster mode.</summary>
    private static readonly HashSet<string> NodeRights =
        ["coordination.k8s.io/leases:get", "coordination.k8s.io/leases:create", "coordination.k8s.io/leases:update"];

    private static Task<RenderedOverlay> Render(string overlay) => RenderedOverlay.RenderAsync(RepoPaths.Overlay(overlay));

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Renders_the_kinds_and_names_the_guide_relies_on(string overlay)
    {
        var r = await Render(overlay);

        r.Single("Namespace", "cardano");
        r.Single("CustomResourceDefinition", "cardanoforgeclusters.cardano.io");
        r.Single("ServiceAccount", "forge-manager");
        r.Single("ServiceAccount", "cardano-node");
        r.Single("Role", "forge-manager");
        r.Single("RoleBinding", "forge-manager");
        r.Single("Service", "cardano-node");
        r.Single("Service", "forge-coordinator");
        Assert.Equal(2, r.OfKind("ServiceMonitor").Count());
        Assert.All(r.Objects.Where(o => RenderedOverlay.Str(o, "kind") is not ("Namespace" or "CustomResourceDefinition")),
            o => Assert.Equal("cardano", RenderedOverlay.Str(o, "metadata.namespace")));

        var node = r.Single("StatefulSet", "cardano-node");
        Assert.Equal("cardano-node", RenderedOverlay.Str(node, "metadata.labels.app"));
        Assert.Equal("cardano-node", RenderedOverlay.Str(node, "spec.selector.matchLabels.app"));
        Assert.Equal("cardano-node", RenderedOverlay.Str(node, "spec.template.metadata.labels.app"));
        Assert.Equal("cardano-node", RenderedOverlay.Str(node, "spec.template.spec.serviceAccountName"));

        var forgeManager = Assert.Single(r.Containers(), c => c.Workload == "cardano-node" && RenderedOverlay.Str(c.Container, "name") == "forge-manager").Container;
        Assert.Contains(forgeManager["ports"]!.AsArray(), p => (int?)JsonText.Long(p!["containerPort"]) == 8000);
        var env = forgeManager["env"]!.AsArray().ToDictionary(e => RenderedOverlay.Str(e, "name")!, e => e!);
        // what forge-agent requires (src/NodeAgent/Config) plus the guide's ENABLE_CLUSTER_MANAGEMENT
        foreach (var name in new[] { "POD_NAME", "NAMESPACE", "CLUSTER_NAME", "CLUSTER_REGION", "POOL_ID", "ENABLE_CLUSTER_MANAGEMENT", "COORDINATORS", "TLS_CA_CERT", "TLS_CERT", "TLS_KEY", "SOURCE_DIR" })
        {
            Assert.True(env.ContainsKey(name), $"{overlay}: forge-manager lacks env {name}");
        }

        var coordinator = r.Single("StatefulSet", "forge-coordinator");
        Assert.Equal("forge-manager", RenderedOverlay.Str(coordinator, "spec.template.spec.serviceAccountName"));
        Assert.Equal("grants", JsonText.Str(JsonText.At(coordinator, "spec.volumeClaimTemplates")?[0], "metadata.name"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_container_has_requests_and_limits(string overlay)
    {
        var r = await Render(overlay);

        Assert.NotEmpty(r.Containers());
        foreach (var (workload, c) in r.Containers())
        {
            foreach (var path in new[] { "resources.requests.cpu", "resources.requests.memory", "resources.limits.cpu", "resources.limits.memory" })
            {
                Assert.True(JsonText.At(c, path) is not null, $"{overlay}: {workload}/{RenderedOverlay.Str(c, "name")} has no {path}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Rbac_grants_nothing_beyond_the_list(string overlay)
    {
        var r = await Render(overlay);

        Assert.Empty(r.OfKind("ClusterRole"));
        Assert.Empty(r.OfKind("ClusterRoleBinding"));
        Assert.Equal(CoordinatorRights, Rights(r.Single("Role", "forge-manager")));
        foreach (var binding in r.OfKind("RoleBinding"))
        {
            var subject = Assert.Single(binding["subjects"]!.AsArray())!;
            var role = r.Single("Role", RenderedOverlay.Str(binding, "roleRef.name")!);
            var expected = RenderedOverlay.Str(subject, "name") switch
            {
                "forge-manager" => CoordinatorRights,
                "cardano-node" => NodeRights,
                var other => throw new InvalidOperationException($"{overlay}: unexpected subject {other}"),
            };
            Assert.Equal(expected, Rights(role));
        }

        var nodeRoles = r.OfKind("RoleBinding").Where(b => RenderedOverlay.Str(b["subjects"]![0], "name") == "cardano-node").ToList();
        var nodeAutomount = JsonText.At(r.Single("StatefulSet", "cardano-node"), "spec.template.spec.automountServiceAccountToken")?.GetValue<bool>();
        if (overlay == "sidecar")
        {
            Assert.Empty(nodeRoles);
            Assert.False(nodeAutomount);
        }
        else
        {
            // single-cluster mode, and the regions because the guide's emergency recovery switches to it at run time
            Assert.Single(nodeRoles);
            Assert.True(nodeAutomount);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Keys_live_in_memory_and_credentials_are_mounted_read_only(string overlay)
    {
        var r = await Render(overlay);
        var pod = JsonText.At(r.Single("StatefulSet", "cardano-node"), "spec.template.spec")!;
        var volumes = pod["volumes"]!.AsArray().ToDictionary(v => RenderedOverlay.Str(v, "name")!, v => v!);
        var mounts = r.Containers()
            .Where(c => c.Workload == "cardano-node")
            .SelectMany(c => (c.Container["volumeMounts"] as JsonArray ?? []).Select(m => (Container: RenderedOverlay.Str(c.Container, "name"), Mount: m!)))
            .ToList();

        Assert.Equal("Memory", RenderedOverlay.Str(volumes["keys"], "emptyDir.medium"));
        Assert.Equal("Memory", RenderedOverlay.Str(volumes["credentials"], "emptyDir.medium"));
        Assert.Equal("forge-credentials", RenderedOverlay.Str(volumes["credentials-secret"], "secret.secretName"));
        var secretMount = Assert.Single(mounts, m => RenderedOverlay.Str(m.Mount, "name") == "credentials-secret");
        Assert.Equal("install-credentials", secretMount.Container);
        Assert.True(secretMount.Mount["readOnly"]?.GetValue<bool>());

        // exec mode: the one container (fence, agent, node) reads the copies; sidecar mode: the fence's node
        // container installs them, the agent only fingerprints them
        var readers = mounts.Where(m => RenderedOverlay.Str(m.Mount, "name") == "credentials" && m.Container != "install-credentials").ToList();
        Assert.All(readers, m => Assert.True(m.Mount["readOnly"]?.GetValue<bool>(), $"{overlay}: {m.Container} mounts credentials writable"));
        Assert.Equal(overlay == "sidecar" ? ["cardano-node", "forge-manager"] : ["forge-manager"], readers.Select(m => m.Container).Order());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_fences_control_directory_is_its_own_below_the_shared_volume(string overlay)
    {
        // The fence refuses a control directory that is not 0700 and its own; an emptyDir's root is 0777, so the
        // fence must be given a path below the mount, which it creates itself.
        var r = await Render(overlay);
        foreach (var (_, c) in r.Containers().Where(c => c.Workload == "cardano-node" && c.Container["command"]?[0]?.GetValue<string>() == "forge-fence"))
        {
            var args = c["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
            var dir = args[args.IndexOf("--control-dir") + 1].TrimEnd('/');
            var mounts = (c["volumeMounts"] as JsonArray ?? []).Select(m => RenderedOverlay.Str(m, "mountPath")!.TrimEnd('/')).ToList();
            Assert.DoesNotContain(dir, mounts);
            Assert.Contains(mounts, m => dir.StartsWith(m + "/", StringComparison.Ordinal));
            var socket = r.Containers().Where(x => x.Workload == "cardano-node")
                .SelectMany(x => x.Container["env"] as JsonArray ?? [])
                .FirstOrDefault(e => RenderedOverlay.Str(e, "name") == "FORGE_FENCE_SOCKET");
            if (socket is not null) Assert.Equal(dir + "/fence.sock", RenderedOverlay.Str(socket, "value"));
        }
    }

    [Fact]
    public async Task Exec_mode_runs_fence_agent_and_node_in_the_forge_manager_container()
    {
        var r = await Render("us-east-1");
        var containers = JsonText.At(r.Single("StatefulSet", "cardano-node"), "spec.template.spec.containers")!.AsArray();

        var forgeManager = Assert.Single(containers)!;
        Assert.Equal("forge-fence", forgeManager["command"]![0]!.GetValue<string>());
        var args = forgeManager["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        Assert.Equal("exec", args[0]);
        Assert.Equal("forge-agent", args[args.IndexOf("--agent-cmd") + 1]);
        Assert.Contains("--start-as-non-producing-node", args[args.IndexOf("--node-cmd") + 1]);
    }

    [Fact]
    public async Task Sidecar_mode_uses_a_native_sidecar_and_a_shared_process_namespace()
    {
        var r = await Render("sidecar");
        var pod = JsonText.At(r.Single("StatefulSet", "cardano-node"), "spec.template.spec")!;

        Assert.True(pod["shareProcessNamespace"]!.GetValue<bool>());
        var agent = pod["initContainers"]!.AsArray().Single(c => RenderedOverlay.Str(c, "name") == "forge-manager")!;
        Assert.Equal(("forge-manager", "Always"), (RenderedOverlay.Str(agent, "name"), RenderedOverlay.Str(agent, "restartPolicy")));
        var node = Assert.Single(pod["containers"]!.AsArray())!;
        Assert.Equal("cardano-node", RenderedOverlay.Str(node, "name"));
        Assert.Equal("sidecar", node["args"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Single_cluster_mode_turns_cluster_management_off()
    {
        var r = await Render("single-cluster");
        var forgeManager = r.Containers().Single(c => RenderedOverlay.Str(c.Container, "name") == "forge-manager").Container;

        var env = forgeManager["env"]!.AsArray().Single(e => RenderedOverlay.Str(e, "name") == "ENABLE_CLUSTER_MANAGEMENT")!;
        Assert.Equal("false", RenderedOverlay.Str(env, "value"));
    }

    [Theory]
    [MemberData(nameof(Regions))]
    public async Task Each_region_carries_its_cluster_object_which_the_schema_accepts(string region, int priority)
    {
        var r = await Render(region);
        var cluster = r.Single("CardanoForgeCluster", $"{region}-prod");

        Assert.Equal(region, RenderedOverlay.Str(cluster, "spec.region"));
        Assert.Equal(priority, JsonText.Long(JsonText.At(cluster, "spec.priority")));
        var clusterConfig = r.OfKind("ConfigMap").Single(c => RenderedOverlay.Str(c, "metadata.name")!.StartsWith("forge-cluster-", StringComparison.Ordinal));
        Assert.Equal($"{region}-prod", RenderedOverlay.Str(clusterConfig, "data.CLUSTER_NAME"));
        Assert.Contains($"region = \"{region}\"", r.OfKind("ConfigMap").Single(c => RenderedOverlay.Str(c, "metadata.name")!.StartsWith("forge-coordinator-", StringComparison.Ordinal))["data"]!["region.conf"]!.GetValue<string>());

        // The CRD of the rendered overlay, loaded into an emulator, accepts the overlay's object.
        await using var emulator = new KubeApiEmulatorServer(new EmulatorOptions());
        emulator.ApplyManifest(JsonText.Serialize(r.Single("CustomResourceDefinition", "cardanoforgeclusters.cardano.io")));
        emulator.ApplyManifest(JsonText.Serialize(cluster));
    }

    private static HashSet<string> Rights(JsonObject role) =>
        role["rules"]!.AsArray()
            .SelectMany(rule => from g in rule!["apiGroups"]!.AsArray()
                                from res in rule["resources"]!.AsArray()
                                from v in rule["verbs"]!.AsArray()
                                select $"{g!.GetValue<string>()}/{res!.GetValue<string>()}:{v!.GetValue<string>()}")
            .ToHashSet();
}
