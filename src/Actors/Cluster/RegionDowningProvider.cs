using Akka.Actor;
using AkkaCluster = Akka.Cluster.Cluster;
using Akka.Cluster;

namespace Forge.Cluster;

/// <summary>
/// Akka downing provider that decides partitions by majority of configured regions
/// (<c>akka.cluster.downing-provider-class = "Forge.Cluster.RegionDowningProvider, Forge.Actors"</c>).
/// Akka.NET's SBR strategies are internal, so this provider supplies its own actor built the same way: a pure
/// decider (<see cref="RegionMajority"/>) and an actor that waits for stability and acts (<see cref="RegionDowningActor"/>).
/// </summary>
public sealed class RegionDowningProvider : IDowningProvider
{
    private readonly ForgeClusterSettings _settings;
    private readonly AkkaCluster _cluster;

    public RegionDowningProvider(ActorSystem system, AkkaCluster cluster)
    {
        _settings = ForgeClusterSettings.FromConfig(system.Settings.Config);
        _cluster = cluster;
    }

    public TimeSpan DownRemovalMargin => _settings.DownRemovalMargin;

    public Props DowningActorProps => RegionDowningActor.Props(_settings, _cluster);
}
