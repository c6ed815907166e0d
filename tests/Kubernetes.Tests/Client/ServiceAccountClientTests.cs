using System.Net;
using Forge.KubeApiEmulator.Json;
using Forge.Kubernetes.Tests.Kustomize;
using Forge.Kubernetes.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Forge.Kubernetes.Tests.Client;

/// <summary>
/// KubernetesClient running as the coordinators' ServiceAccount against the overlay's real RBAC: what the
/// coordinator does is allowed, the rest is a 403 whose message names the missing permission.
/// </summary>
public sealed class ServiceAccountClientTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private k8s.Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        var rendered = await RenderedOverlay.RenderAsync(RepoPaths.Overlay("us-east-1"));
        foreach (var o in rendered.Objects.Where(o => RenderedOverlay.Str(o, "kind") is "ServiceAccount" or "Role" or "RoleBinding"))
        {
            emulator.Server.ApplyManifest(JsonText.Serialize(o));
        }

        await emulator.ResetClustersAsync();
        var kubeconfig = emulator.Server.WriteKubeconfig(Path.Combine(emulator.WorkDir, "sa.kubeconfig"), EmulatorFixture.Namespace, serviceAccount: "cardano:forge-manager");
        _client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_coordinator_account_can_write_status_and_record_events()
    {
        await _client.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("{\"status\":{\"message\":\"written by forge-manager\"}}", V1Patch.PatchType.MergePatch),
            "cardano.io", "v1", EmulatorFixture.Namespace, "cardanoforgeclusters", "us-east-1-prod");
        await _client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = "us-east-1-prod." },
            InvolvedObject = new V1ObjectReference { Kind = "CardanoForgeCluster", Name = "us-east-1-prod", NamespaceProperty = EmulatorFixture.Namespace },
            Reason = "ForgingMoved",
            Message = "test",
            Type = "Normal",
        }, EmulatorFixture.Namespace);

        Assert.Equal("written by forge-manager", (string?)(await emulator.GetClusterAsync("us-east-1-prod"))!["status"]!["message"]);
    }

    [Fact]
    public async Task A_missing_permission_is_a_403_that_names_it()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoordinationV1.CreateNamespacedLeaseAsync(
            new V1Lease { Metadata = new V1ObjectMeta { Name = "x" }, Spec = new V1LeaseSpec { HolderIdentity = "x" } }, EmulatorFixture.Namespace));

        Assert.Equal(HttpStatusCode.Forbidden, e.Response.StatusCode);
        Assert.Contains("User \\\"system:serviceaccount:cardano:forge-manager\\\" cannot create resource \\\"leases\\\" in API group \\\"coordination.k8s.io\\\" in the namespace \\\"cardano\\\"", e.Response.Content);
    }
}
