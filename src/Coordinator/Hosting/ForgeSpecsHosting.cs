using Akka.Hosting;
using Forge.Specs;

namespace Forge.Coordinator.Hosting;

/// <summary>The replicated specs: a <see cref="SpecStore"/> per coordinator (registry key <see cref="SpecStore"/>).
/// The CRD projection sends <see cref="PutClusterSpec"/> / <see cref="RemoveClusterSpec"/> to it.</summary>
public static class ForgeSpecsHosting
{
    public const string ActorName = "forge-specs";

    public static AkkaConfigurationBuilder AddForgeSpecs(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) => registry.Register<SpecStore>(system.ActorOf(SpecStore.Props(), ActorName)));
}
