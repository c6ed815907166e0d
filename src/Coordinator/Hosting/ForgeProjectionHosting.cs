using Akka.Cluster.Hosting;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using Forge.Arbiter;
using Forge.Cluster;
using Forge.Kubernetes;
using Forge.PodFence;
using Forge.Specs;
using k8s;

namespace Forge.Coordinator.Hosting;

/// <summary>
/// The CRD projection: a singleton per region role (one active writer per region, elected through Akka — no
/// Kubernetes Lease, so no extra RBAC and no extra writes), over this region's Kubernetes API.
/// </summary>
public static class ForgeProjectionHosting
{
    /// <summary>The region's Kubernetes API client from <c>forge.projection</c> (kubeconfig / api-url, or in-cluster), or
    /// null when none is configured. One client for the projection and the pod fence.</summary>
    public static IKubernetes? CreateClient(Config config)
    {
        var kubeconfig = config.GetString("forge.projection.kubeconfig", "");
        var context = config.GetString("forge.projection.context", "");
        var url = config.GetString("forge.projection.api-url", "");
        KubernetesClientConfiguration? k8sConfig =
            !string.IsNullOrEmpty(url) ? new KubernetesClientConfiguration { Host = url }
            : !string.IsNullOrEmpty(kubeconfig) ? KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig,
                string.IsNullOrEmpty(context) ? null : context)
            : KubernetesClientConfiguration.IsInCluster() ? KubernetesClientConfiguration.InClusterConfig()
            : null;
        return k8sConfig is null ? null : new k8s.Kubernetes(k8sConfig);
    }

    /// <summary>The projection's view of the region's Kubernetes API, or null without a client.</summary>
    public static IForgeClusterApi? CreateApi(IKubernetes? client, ProjectionSettings settings) =>
        client is null ? null : new KubernetesForgeClusterApi(client, settings.Namespace, settings.RequestTimeout, settings.ServiceAccount);

    /// <summary>The pod fence's view of the region's Kubernetes API (same namespace and timeout), or null without a client.</summary>
    public static IPodFenceApi? CreatePodFenceApi(IKubernetes? client, ProjectionSettings settings) =>
        client is null ? null : new KubernetesPodFenceApi(client, settings.Namespace, settings.RequestTimeout, settings.ServiceAccount);

    /// <summary>The region's projection singleton (manager and instance carry this name).</summary>
    public static string SingletonName(string region) => "crd-projection-" + region;

    public static AkkaConfigurationBuilder AddForgeProjection(this AkkaConfigurationBuilder builder, ForgeConfiguration fc,
        ProjectionSettings settings, IForgeClusterApi? api)
    {
        if (api is null)
            return builder.AddStartup((system, _) => system.Log.Warning(
                "no Kubernetes API configured (forge.projection.kubeconfig / api-url, or in-cluster): region {0} shows no CardanoForgeCluster status",
                fc.Cluster.Region));
        return builder.WithSingleton<CrdProjection>(SingletonName(fc.Cluster.Region),
            (system, registry, _) => CrdProjection.Props(api, registry.Get<SpecStore>(), registry.Get<ForgeArbiter>(),
                DistributedPubSub.Get(system).Mediator, settings, fc.Cluster.Region),
            new ClusterSingletonOptions { Role = ClusterRoles.RegionRole(fc.Cluster.Region) },
            createProxyToo: false);
    }
}
