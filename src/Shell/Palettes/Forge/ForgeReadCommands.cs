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

    /// <summary>Per pool the grant (term, holder, TTL, live, time left, regions holding it), then what each region's
    /// replica holds.</summary>
    public async Task Grants(CommandContext ctx)
    {
        var grants = await Query(ctx, queries.GrantsAsync).ConfigureAwait(false);
        if (grants.IsEmpty)
        {
            await ctx.WriteLineAsync("No grants held").ConfigureAwait(false);
            return;
        }
        var ordered = grants.OrderBy(g => g.PoolId, StringComparer.Ordinal).ToList();
        var rows = ordered.Select(g => (IReadOnlyList<string>)
        [
            g.PoolId,
            g.Term.ToString(),
            Describe(g.Holder),
            g.Phase,
            g.Ttl is { } ttl ? Seconds(ttl) : "?",
            !g.QuorumRead ? "?" : g.Released ? "released" : g.Live == true ? "yes" : "no",
            g.TimeLeft is { } left ? Seconds(left) : g.QuorumRead ? "-" : "?",
            g.QuorumRead ? $"{(g.Regions.IsEmpty ? "none" : string.Join(',', g.Regions))} ({g.Regions.Length}/{g.ConfiguredRegions})" : "?",
        ]);
        await ctx.WriteLinesAsync(TextTable.Render(["POOL", "TERM", "HOLDER", "PHASE", "TTL", "LIVE", "LEFT", "REGIONS"], rows)).ConfigureAwait(false);
        foreach (var g in ordered)
        {
            if (!g.QuorumRead)
            {
                await ctx.WriteLineAsync($"{g.PoolId}: the grant quorum is not readable from this shell host (TTL, live, time left and regions unknown)")
                    .ConfigureAwait(false);
                continue;
            }
            foreach (var r in g.Replicas)
                await ctx.WriteLineAsync($"{g.PoolId} {r.Region}: {Replica(r)}").ConfigureAwait(false);
        }
    }

    private static string Replica(ReplicaGrantView r)
    {
        if (r.Unreachable is { } why) return $"not reachable: {why}";
        if (!r.Answered) return $"no answer within {Seconds(r.Waited)}";
        if (r.Recovering) return "recovering (copying the other replicas' state after a disk loss): votes for nothing yet";
        if (r.Term is not { } term) return "holds no term";
        var state = r.Released ? "released" : r.Live ? "live" : "not live (never renewed here)";
        var renewal = r.SinceRenewal is { } since ? $", renewed {Seconds(since)} ago" : "";
        var left = r.Released ? "" : r.Left is { } l ? $", {Seconds(l)} left" : "";
        return $"term {term} {Describe(r.Holder)} (TTL {(r.Ttl is { } t ? Seconds(t) : "?")}), {state}{renewal}{left}";
    }

    internal static string Seconds(TimeSpan t) => $"{t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s";

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
