using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Forge.Shell.Commands;
using Forge.Shell.Palettes.Agent;
using Forge.Shell.Palettes.Cluster;
using Forge.Shell.Palettes.Forge;

namespace Forge.Shell.Host;

/// <summary>Starts the command host of a coordinator with its three palettes.</summary>
public static class ForgeShell
{
    /// <summary>The palettes of a coordinator: <c>cluster</c> (when the system is clustered), <c>forge</c>, <c>agent</c>.</summary>
    public static IReadOnlyList<Palette> Palettes(ActorSystem system, IForgeQueries? queries, IForgeSpecWriter? writer, TimeProvider? time = null)
    {
        var palettes = new List<Palette>();
        if (IsClustered(system)) palettes.Add(ClusterPalette.Create(system));
        palettes.Add(ForgePalette.Create(queries, writer, time));
        palettes.Add(AgentPalette.Create(queries, time));
        return palettes;
    }

    /// <summary>Starts the host per <paramref name="settings"/> (default: the system's <c>forge.shell</c> config) and stops it
    /// in CoordinatedShutdown. Returns null when forge.shell.enabled is off.</summary>
    /// <exception cref="ArgumentException">Bad settings, e.g. a non-loopback host without a token file.</exception>
    public static ShellHost? Start(ActorSystem system, IForgeQueries? queries, IForgeSpecWriter? writer, ShellSettings? settings = null)
    {
        settings ??= ShellSettings.FromConfig(system.Settings.Config);
        if (!settings.Enabled) return null;
        var hostName = IsClustered(system) ? Akka.Cluster.Cluster.Get(system).SelfAddress.ToString() : system.Name;
        var host = ShellHost.Start(settings, hostName, Palettes(system, queries, writer), Logging.GetLogger(system, "forge.shell"));
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "forge-shell-stop", async () =>
        {
            await host.DisposeAsync().ConfigureAwait(false);
            return Akka.Done.Instance;
        });
        return host;
    }

    private static bool IsClustered(ActorSystem system) =>
        system is ExtendedActorSystem { Provider: ClusterActorRefProvider };
}
