using System.Globalization;
using Forge.Protocol;
using Forge.Shell.Commands;
using Forge.Shell.Palettes.Forge;
using Forge.Shell.Protocol;

namespace Forge.Shell.Palettes.Agent;

/// <summary><c>agent</c>: the NodeAgents (one per cardano-node) as their node actors see them.</summary>
public static class AgentPalette
{
    public static Palette Create(IForgeQueries? queries, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        return new PaletteBuilder("agent", "the NodeAgents next to the cardano-nodes")
            .Command("list", "every agent: connection, sync, verified forging state, KES periods left",
                queries is null ? ForgePalette.NotWired(nameof(IForgeQueries)) : ctx => List(queries, ctx))
            .Command("show", "one agent: verified forging state, last SIGHUP outcome, KES periods left",
                queries is null ? ForgePalette.NotWired(nameof(IForgeQueries)) : ctx => Show(queries, time, ctx),
                [new ArgumentSpec("node", "<cluster>/<pod>, e.g. us-east-1-prod/cardano-bp-0")])
            .Build();
    }

    private static async Task List(IForgeQueries queries, CommandContext ctx)
    {
        var agents = await ForgeReadCommands.Query(ctx, queries.AgentsAsync).ConfigureAwait(false);
        if (agents.IsEmpty)
        {
            await ctx.WriteLineAsync("No agents known").ConfigureAwait(false);
            return;
        }
        var rows = agents.OrderBy(a => a.Node).Select(a => (IReadOnlyList<string>)
        [
            a.Node.ToString(),
            a.PoolId,
            a.Connected ? "yes" : "no",
            a.Synced ? "yes" : "no",
            a.TipSlot?.ToString(CultureInfo.InvariantCulture) ?? "",
            a.Forging,
            a.Term?.ToString() ?? "",
            a.KesPeriodsLeft?.ToString(CultureInfo.InvariantCulture) ?? "",
        ]);
        await ctx.WriteLinesAsync(TextTable.Render(["NODE", "POOL", "CONNECTED", "SYNCED", "TIP", "FORGING", "TERM", "KES LEFT"], rows))
            .ConfigureAwait(false);
    }

    private static async Task Show(IForgeQueries queries, TimeProvider time, CommandContext ctx)
    {
        var text = ctx.Command.Argument("node");
        if (!NodeId.TryParse(text, out var node, out var error)) throw new CommandUsageException(error);
        var agents = await ForgeReadCommands.Query(ctx, queries.AgentsAsync).ConfigureAwait(false);
        var a = agents.FirstOrDefault(x => x.Node == node)
            ?? throw new CommandFailedException($"no agent {node} is known; 'agent list' shows them");
        var now = time.GetUtcNow();
        await ctx.WriteLinesAsync(
        [
            $"Node:             {a.Node}",
            $"Pool:             {a.PoolId}",
            $"Connected:        {(a.Connected ? "yes" : "no")}{(a.LastSeen is { } seen ? $" (last seen {HumanTime.Age(now - seen)} ago)" : "")}",
            $"Synced:           {(a.Synced ? "yes" : "no")}{(a.TipSlot is { } tip ? $" (tip slot {tip})" : "")}",
            $"Forging:          {a.Forging} (verified){(a.Term is { } t ? $", term {t}" : "")}",
            $"Last SIGHUP:      {a.LastSighup ?? "none"}{(a.LastSighupAt is { } at ? $" at {HumanTime.Rfc3339(at)} ({HumanTime.Age(now - at)} ago)" : a.LastSighup is null ? "" : " (time unknown)")}",
            $"KES periods left: {a.KesPeriodsLeft?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}",
        ]).ConfigureAwait(false);
        if (a.Refused is { } why) await ctx.WriteLineAsync($"REFUSED:          {why}").ConfigureAwait(false);
    }
}
