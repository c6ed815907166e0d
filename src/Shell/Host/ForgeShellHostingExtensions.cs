using Akka.Hosting;
using Forge.Shell.Palettes.Forge;

namespace Forge.Shell.Host;

/// <summary>One line in the coordinator's Program: <c>builder.AddForgeShell(serviceProvider)</c>.</summary>
public static class ForgeShellHostingExtensions
{
    /// <summary>
    /// Adds the shell's HOCON defaults and starts the command host once the ActorSystem is up. The forge and agent
    /// palettes use the <see cref="IForgeQueries"/> and <see cref="IForgeSpecWriter"/> registered in
    /// <paramref name="services"/> (when absent those commands answer "not available"). Use the
    /// <c>AddAkka(name, (builder, sp) =&gt; ...)</c> overload to get the provider.
    /// A bad <c>forge.shell</c> section (e.g. a non-loopback host without <c>token-file</c>) fails the startup.
    /// </summary>
    public static AkkaConfigurationBuilder AddForgeShell(this AkkaConfigurationBuilder builder, IServiceProvider? services = null)
    {
        builder.AddHocon(ShellSettings.DefaultConfig(), HoconAddMode.Append);
        return builder.AddStartup((system, _) =>
        {
            var queries = services?.GetService(typeof(IForgeQueries)) as IForgeQueries;
            var writer = services?.GetService(typeof(IForgeSpecWriter)) as IForgeSpecWriter;
            ForgeShell.Start(system, queries, writer);
        });
    }
}
