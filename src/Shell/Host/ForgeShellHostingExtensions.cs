using Akka.Actor;
using Akka.Hosting;
using Forge.Kubernetes;
using Forge.Shell.Palettes.Forge;

namespace Forge.Shell.Host;

/// <summary>One line in the coordinator's Program: <c>akka.AddForgeShell(sp)</c>.</summary>
public static class ForgeShellHostingExtensions
{
    /// <summary>
    /// Adds the shell's HOCON defaults (hocon/shell.conf, appended: the host's own config wins) and starts the command
    /// host once the ActorSystem and its actors are up; CoordinatedShutdown stops it.
    /// <list type="bullet">
    /// <item>Reads: the <see cref="IForgeQueries"/> registered in <paramref name="services"/>, else one over the
    /// registry's <c>ForgeArbiter</c> (singleton proxy) and <c>SpecStore</c> (<see cref="ArbiterForgeQueries"/>).</item>
    /// <item>Writes: the <see cref="IForgeSpecWriter"/> registered in <paramref name="services"/>, else a
    /// <see cref="ClusterApiSpecWriter"/> over the registered <see cref="IForgeClusterApi"/> (the CRD projection's
    /// Kubernetes API); without either, failover, disable and restore answer "not available".</item>
    /// <item>Grants: <paramref name="grants"/> builds the <see cref="GrantQuorum"/> (configured regions and the
    /// coordinator's replica directory) that <c>forge grants</c> reads; without it, grants show the arbiter's view only.</item>
    /// </list>
    /// Use the <c>AddAkka(name, (akka, sp) =&gt; ...)</c> overload to get <paramref name="services"/>. A bad
    /// <c>forge.shell</c> section (e.g. a non-loopback host without <c>token-file</c>) fails the startup with a
    /// message naming the setting.
    /// </summary>
    public static AkkaConfigurationBuilder AddForgeShell(this AkkaConfigurationBuilder builder, IServiceProvider? services = null,
        Func<ActorSystem, GrantQuorum>? grants = null)
    {
        builder.AddHocon(ShellSettings.DefaultConfig(), HoconAddMode.Append);
        return builder.AddStartup((system, registry) =>
        {
            var queries = services?.GetService(typeof(IForgeQueries)) as IForgeQueries
                          ?? ArbiterForgeQueries.FromRegistry(system, registry, grants?.Invoke(system));
            var writer = services?.GetService(typeof(IForgeSpecWriter)) as IForgeSpecWriter
                         ?? (services?.GetService(typeof(IForgeClusterApi)) is IForgeClusterApi api ? new ClusterApiSpecWriter(api) : null);
            ForgeShell.Start(system, queries, writer);
        });
    }
}
