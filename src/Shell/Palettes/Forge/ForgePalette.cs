using Forge.Shell.Commands;
using Forge.Shell.Protocol;

namespace Forge.Shell.Palettes.Forge;

/// <summary><c>forge</c>: who forges, the CardanoForgeClusters, history and grants, and the operator's changes.</summary>
public static class ForgePalette
{
    private static readonly ArgumentSpec ClusterArg = new("cluster", "CardanoForgeCluster name, e.g. us-east-1-prod");

    /// <param name="queries">Null when the host has no arbiter view wired: the commands then say so.</param>
    /// <param name="writer">Null when the host cannot patch specs: the changing commands then say so.</param>
    public static Palette Create(IForgeQueries? queries, IForgeSpecWriter? writer, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var read = queries is null ? null : new ForgeReadCommands(queries, time);
        var change = queries is null || writer is null ? null : new ForgeChangeCommands(queries, writer, time);
        CommandHandler R(Func<ForgeReadCommands, CommandHandler> pick) => read is null ? NotWired(nameof(IForgeQueries)) : pick(read);
        CommandHandler C(Func<ForgeChangeCommands, CommandHandler> pick) =>
            change is null ? NotWired(queries is null ? nameof(IForgeQueries) : nameof(IForgeSpecWriter)) : pick(change);

        return new PaletteBuilder("forge", "forging state of the pools and the operator's overrides")
            .Command("status", "per pool: forging cluster and node, grant term, time since the last transition", R(r => r.Status))
            .Command("clusters", "the CardanoForgeClusters (as kubectl get cardanoforgeclusters -o wide)", R(r => r.Clusters))
            .Command("history", "recent forging transitions with their reasons, newest first", R(r => r.History),
                switches: [new SwitchSpec("limit", "how many transitions", "n", Default: "20")])
            .Command("failover", "force a cluster Enabled (override) and wait until it forges", C(c => c.Failover),
                switches:
                [
                    new SwitchSpec("to", "the cluster that should forge", "cluster", Required: true),
                    new SwitchSpec("reason", "why (kept in the override and the history)", "text", Required: true),
                    new SwitchSpec("expires", "when the override ends: RFC 3339 time or duration (4h)", "time"),
                ])
            .Command("restore", "end a cluster's override exactly as its expiry would", C(c => c.Restore), [ClusterArg])
            .Command("disable", "force a cluster Disabled (override) and wait until it stopped forging", C(c => c.Disable), [ClusterArg],
                [new SwitchSpec("reason", "why (kept in the override and the history)", "text", Required: true)])
            .Command("grants", "the grants the quorum holds: holder, term, TTL, last renewal, regions", R(r => r.Grants))
            .Build();
    }

    internal static CommandHandler NotWired(string what) => _ =>
        throw new CommandFailedException($"not available on this coordinator: no {what} is wired into its shell host");
}
