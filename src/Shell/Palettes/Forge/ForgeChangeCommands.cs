using System.Diagnostics;
using Forge.Decider;
using Forge.Shell.Commands;

namespace Forge.Shell.Palettes.Forge;

/// <summary>
/// <c>forge failover</c>, <c>disable</c> and <c>restore</c>: each writes the CardanoForgeCluster fields an operator
/// would patch, then watches the arbiter's state until the effect is verified (or forge.shell.change-timeout passes;
/// the patch stays in place either way and the message says so).
/// </summary>
internal sealed class ForgeChangeCommands(IForgeQueries queries, IForgeSpecWriter writer, TimeProvider time)
{
    public async Task Failover(CommandContext ctx)
    {
        var target = ctx.Command.Switch("to")!;
        var reason = Reason(ctx);
        var now = time.GetUtcNow();
        DateTimeOffset? expiresAt = null;
        if (ctx.Command.Switch("expires") is { } expiresText)
        {
            if (!HumanTime.TryParseExpiry(expiresText, now, out var at, out var error)) throw new CommandUsageException(error);
            expiresAt = at;
        }
        var (snapshot, pool, _) = await Locate(ctx, target).ConfigureAwait(false);

        // Two clusters forced Enabled leave the choice to priority and hide the operator's intent: refuse, explaining.
        var forced = pool.Clusters.FirstOrDefault(c =>
            c.Name != target && c.OverrideActive(now) && c.Override!.ForceState == ForgeStates.EnabledText);
        if (forced is not null)
            throw new CommandFailedException(
                $"refused: {forced.Name} is already forced Enabled (override reason '{forced.Override!.Reason}'" +
                $"{(forced.Override.ExpiresAt is { } e ? $", expires {HumanTime.Rfc3339(e)}" : ", no expiry")}). " +
                $"Run 'forge restore {forced.Name}' first, then fail over to {target}.");

        var from = pool.Forger;
        await Patch(ctx, ForgeSpecPatch.Failover(target, reason, expiresAt)).ConfigureAwait(false);
        await ctx.WriteLineAsync(
            $"{target}: override set (forceState Enabled, reason '{reason}', {(expiresAt is { } x ? $"expires {HumanTime.Rfc3339(x)}" : "no expiry")}); " +
            $"waiting for {target} to forge").ConfigureAwait(false);

        var watch = Stopwatch.StartNew();
        var (match, last) = await WaitFor(ctx, s => s.PoolOf(target) is { Forger: { } f } p && f.Cluster == target && p.Settled)
            .ConfigureAwait(false);
        if (match is null) throw TimedOut(ctx, $"{target} is not forging", target, last ?? snapshot);
        var after = match.PoolOf(target)!;
        await ctx.WriteLineAsync(from is { } f0 && f0 == after.Forger
            ? $"{after.Forger} was already forging (term {after.Term}); it stays forging under the override"
            : $"{after.Forger} is forging (term {after.Term}); handed over from {ForgeReadCommands.Describe(from)} in {ForgeReadCommands.Seconds(watch.Elapsed)}")
            .ConfigureAwait(false);
    }

    public async Task Disable(CommandContext ctx)
    {
        var target = ctx.Command.Argument("cluster");
        var reason = Reason(ctx);
        var (snapshot, pool, _) = await Locate(ctx, target).ConfigureAwait(false);
        var from = pool.Forger;
        await Patch(ctx, ForgeSpecPatch.Disable(target, reason)).ConfigureAwait(false);
        await ctx.WriteLineAsync($"{target}: override set (forceState Disabled, reason '{reason}'); waiting for the arbiter")
            .ConfigureAwait(false);

        var (match, last) = await WaitFor(ctx, s =>
                s.Cluster(target) is { EffectiveState: ForgeStates.DisabledText }
                && s.PoolOf(target) is { } p && p.Settled && p.Forger?.Cluster != target)
            .ConfigureAwait(false);
        if (match is null) throw TimedOut(ctx, $"{target} is not disabled and stopped", target, last ?? snapshot);
        var after = match.PoolOf(target)!;
        await ctx.WriteLineAsync($"{target} is disabled").ConfigureAwait(false);
        await ctx.WriteLineAsync(after.Forger is { } now
            ? (now == from ? $"{now} keeps forging (term {after.Term})" : $"{now} is forging (term {after.Term}); moved from {ForgeReadCommands.Describe(from)}")
            : $"WARNING: no cluster of pool {after.PoolId} is forging ({after.LastTransition}); 'forge restore {target}' undoes this")
            .ConfigureAwait(false);
    }

    public async Task Restore(CommandContext ctx)
    {
        var target = ctx.Command.Argument("cluster");
        var (snapshot, _, cluster) = await Locate(ctx, target).ConfigureAwait(false);
        if (cluster.Override is not { Enabled: true })
        {
            await ctx.WriteLineAsync($"{target} has no override; nothing to restore").ConfigureAwait(false);
            return;
        }
        // Exactly what the arbiter writes when an override expires: enabled=false, and Priority-based if Disabled.
        var resetDisabled = cluster.ForgeState == ForgeStates.DisabledText;
        await Patch(ctx, ForgeSpecPatch.Restore(target, resetDisabled)).ConfigureAwait(false);
        await ctx.WriteLineAsync(
            $"{target}: override ended{(resetDisabled ? ", forgeState set to Priority-based" : "")}; waiting for the arbiter").ConfigureAwait(false);

        // Judged on the arbiter's verdict (effective state and priority back to the spec's own), not on the spec
        // alone, so the report reflects a decision made after the restore.
        var baseState = resetDisabled ? ForgeStates.PriorityBasedText : cluster.ForgeState;
        var (match, last) = await WaitFor(ctx, s =>
                s.Cluster(target) is { } c && c.Override is not { Enabled: true }
                && c.EffectiveState == baseState && c.EffectivePriority == c.Priority
                && s.PoolOf(target) is { Settled: true })
            .ConfigureAwait(false);
        if (match is null) throw TimedOut(ctx, $"the arbiter has not applied the restore of {target}", target, last ?? snapshot);
        var pool = match.PoolOf(target)!;
        var restored = match.Cluster(target)!;
        await ctx.WriteLineAsync($"{target} is back to {restored.EffectiveState} (priority {restored.EffectivePriority})").ConfigureAwait(false);
        await ctx.WriteLineAsync(pool.Forger is { } f
            ? $"{f} is forging (term {pool.Term})"
            : $"WARNING: no cluster of pool {pool.PoolId} is forging ({pool.LastTransition})").ConfigureAwait(false);
    }

    private static string Reason(CommandContext ctx)
    {
        var reason = ctx.Command.Switch("reason")!.Trim();
        return reason.Length == 0 ? throw new CommandUsageException("--reason must not be empty") : reason;
    }

    private async Task<(ForgeSnapshot Snapshot, PoolView Pool, ClusterView Cluster)> Locate(CommandContext ctx, string name)
    {
        var snapshot = await ForgeReadCommands.Query(ctx, queries.SnapshotAsync).ConfigureAwait(false);
        if (snapshot.PoolOf(name) is { } pool && snapshot.Cluster(name) is { } cluster) return (snapshot, pool, cluster);
        var known = string.Join(", ", snapshot.Pools.SelectMany(p => p.Clusters).Select(c => c.Name).Order(StringComparer.Ordinal));
        throw new CommandFailedException($"no CardanoForgeCluster named '{name}' is known to the arbiter; clusters: {(known.Length == 0 ? "(none)" : known)}");
    }

    private async Task Patch(CommandContext ctx, ForgeSpecPatch patch)
    {
        using var deadline = ctx.Deadline(ctx.Timeouts.Query);
        try
        {
            await writer.PatchAsync(patch, deadline.Token).ConfigureAwait(false);
        }
        catch (ForgeSpecWriteException e)
        {
            throw new CommandFailedException($"{patch.Cluster}: the patch was not applied: {e.Message}");
        }
        catch (OperationCanceledException) when (!ctx.Cancellation.IsCancellationRequested)
        {
            throw new CommandFailedException(
                $"{patch.Cluster}: the patch was not confirmed within {ctx.Timeouts.Query.TotalSeconds:0}s; check 'forge clusters' before retrying");
        }
    }

    private async Task<(ForgeSnapshot? Match, ForgeSnapshot? Last)> WaitFor(CommandContext ctx, Func<ForgeSnapshot, bool> condition)
    {
        using var deadline = ctx.Deadline(ctx.Timeouts.Change);
        var result = await queries.WaitForAsync(condition, deadline.Token).ConfigureAwait(false);
        ctx.Cancellation.ThrowIfCancellationRequested();
        return result;
    }

    private static CommandFailedException TimedOut(CommandContext ctx, string what, string cluster, ForgeSnapshot last)
    {
        var pool = last.PoolOf(cluster);
        var c = last.Cluster(cluster);
        return new CommandFailedException(
            $"timed out after {ctx.Timeouts.Change.TotalSeconds:0}s: {what}. Forging now: {ForgeReadCommands.Describe(pool?.Forger)}" +
            $"{(pool is { Settled: false } ? $" (handing over to {ForgeReadCommands.Describe(pool.Target)})" : "")}. " +
            $"{cluster}: {c?.EffectiveState} {c?.Reason}: {c?.Message}. The patch stays in place ('forge clusters' shows it).");
    }

}
