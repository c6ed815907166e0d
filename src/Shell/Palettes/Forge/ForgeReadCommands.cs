using Forge.Protocol;
using System.Globalization;
using Forge.Shell.Commands;

namespace Forge.Shell.Palettes.Forge;

/// <summary>The read-only commands of the <c>forge</c> palette: status, clusters, history, grants.</summary>
internal sealed class ForgeReadCommands(IForgeQueries queries, TimeProvider time)
{
    public async Task Status(CommandContext ctx)
    {
        var snapshot = await Query(ctx, queries.SnapshotAsync).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var rows = snapshot.Pools.OrderBy(p => p.PoolId, StringComparer.Ordinal).Select(p => (IReadOnlyList<string>)
        [
            p.PoolId,
            p.Forger?.Cluster ?? "(none)",
            p.Forger?.Pod ?? "",
            p.Forger is null ? "" : p.Term.ToString(),
            p.LastTransitionAt is { } at ? HumanTime.Age(now - at) : "",
            p.Settled ? p.LastTransition : $"{p.LastTransition}; handing over to {Describe(p.Target)}",
        ]).ToList();
        if (rows.Count == 0)
        {
            await ctx.WriteLineAsync("No pools known to the arbiter").ConfigureAwait(false);
            return;
        }
        await ctx.WriteLinesAsync(TextTable.Render(["POOL", "FORGING CLUSTER", "NODE", "TERM", "SINCE", "LAST TRANSITION"], rows)).ConfigureAwait(false);
        foreach (var p in snapshot.Pools.Where(p => !p.AlsoForging.IsEmpty))
            await ctx.WriteLineAsync(
                $"ALERT: pool {p.PoolId}: {string.Join(", ", p.AlsoForging)} also report verified forging besides {Describe(p.Forger)}").ConfigureAwait(false);
    }

    /// <summary>The guide's <c>kubectl get cardanoforgeclusters -o wide</c> table, one per pool, best priority first.</summary>
    public async Task Clusters(CommandContext ctx)
    {
        var snapshot = await Query(ctx, queries.SnapshotAsync).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var pools = snapshot.Pools.OrderBy(p => p.PoolId, StringComparer.Ordinal).ToList();
        if (pools.All(p => p.Clusters.IsEmpty))
        {
            await ctx.WriteLineAsync("No CardanoForgeClusters known to the arbiter").ConfigureAwait(false);
            return;
        }
        foreach (var pool in pools.Where(p => !p.Clusters.IsEmpty))
        {
            if (pools.Count > 1) await ctx.WriteLineAsync($"Pool {pool.PoolId}:").ConfigureAwait(false);
            var rows = pool.Clusters
                .OrderBy(c => c.EffectivePriority ?? int.MaxValue).ThenBy(c => c.Name, StringComparer.Ordinal)
                .Select(c => (IReadOnlyList<string>)
                [
                    c.Name,
                    c.EffectiveState,
                    c.EffectivePriority?.ToString(CultureInfo.InvariantCulture) ?? "",
                    c.Region,
                    c.ActiveLeader?.Pod ?? "",
                    c.Healthy ? "true" : "false",
                    HumanTime.Age(now - c.Created),
                ]);
            await ctx.WriteLinesAsync(TextTable.Render(["NAME", "STATE", "PRIORITY", "REGION", "ACTIVE LEADER", "HEALTHY", "AGE"], rows))
                .ConfigureAwait(false);
        }
    }

    public async Task History(CommandContext ctx)
    {
        var limitText = ctx.Command.Switch("limit")!;
        if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > 10_000)
            throw new CommandUsageException($"--limit '{limitText}' must be a number from 1 to 10000");
        var history = await Query(ctx, ct => queries.HistoryAsync(limit, ct)).ConfigureAwait(false);
        if (history.IsEmpty)
        {
            await ctx.WriteLineAsync("No transitions recorded").ConfigureAwait(false);
            return;
        }
        var rows = history.Select(t => (IReadOnlyList<string>)
            [HumanTime.Rfc3339(t.At), t.PoolId, Describe(t.From), Describe(t.To), t.Term.ToString(), t.Reason]);
        await ctx.WriteLinesAsync(TextTable.Render(["TIME", "POOL", "FROM", "TO", "TERM", "REASON"], rows)).ConfigureAwait(false);
    }

    public async Task Grants(CommandContext ctx)
    {
        var grants = await Query(ctx, queries.GrantsAsync).ConfigureAwait(false);
        if (grants.IsEmpty)
        {
            await ctx.WriteLineAsync("No grants held").ConfigureAwait(false);
            return;
        }
        var rows = grants.OrderBy(g => g.PoolId, StringComparer.Ordinal).Select(g => (IReadOnlyList<string>)
        [
            g.PoolId,
            g.Holder.ToString(),
            g.Term.ToString(),
            g.Phase,
            g.Ttl is { } ttl ? HumanTime.Age(ttl) : "?",
            g.SinceRenewal is { } r ? $"{r.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s ago" : "?",
            g.Live switch { true => "yes", false => "no", null => "?" },
            g.Regions.IsEmpty ? "?" : string.Join(',', g.Regions),
        ]);
        await ctx.WriteLinesAsync(TextTable.Render(["POOL", "HOLDER", "TERM", "PHASE", "TTL", "RENEWED", "LIVE", "REGIONS"], rows)).ConfigureAwait(false);
    }

    internal static string Describe(NodeId? node) => node?.ToString() ?? "(none)";

    /// <summary>Runs a query under forge.shell.query-timeout, turning its expiry into a message.</summary>
    internal static async Task<T> Query<T>(CommandContext ctx, Func<CancellationToken, Task<T>> query)
    {
        using var deadline = ctx.Deadline(ctx.Timeouts.Query);
        try
        {
            return await query(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ctx.Cancellation.IsCancellationRequested)
        {
            throw new CommandFailedException(
                $"the arbiter did not answer within {ctx.Timeouts.Query.TotalSeconds:0}s (forge.shell.query-timeout); is the ForgeArbiter singleton running?");
        }
    }
}
