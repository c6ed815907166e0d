using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Forge.Shell.Commands;
using Forge.Shell.Protocol;

namespace Forge.Shell.Palettes.Cluster;

/// <summary><c>cluster</c>: membership of the coordinator cluster, from this member's view, on Akka.Cluster
/// directly. <c>down</c> changes membership only: the grant quorum counts configured regions, so downing a member
/// never shrinks it.</summary>
public static class ClusterPalette
{
    private static readonly ArgumentSpec AddressArg = new("address", "member address, e.g. akka.tcp://forge@10.0.0.5:4053");

    public static Palette Create(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        return new PaletteBuilder("cluster", "Akka.NET cluster membership (this member's view)")
            .Command("show", "one line per member: address, roles, region, status, reachability", ctx => Show(cluster, ctx))
            .Command("status", "this member's status, the leader and member counts", ctx => Status(cluster, ctx))
            .Command("leader", "the cluster leader's address", ctx => ctx.WriteLineAsync(MemberFormat.Describe(cluster.State.Leader)))
            .Command("tail", "stream membership and reachability events (current state first) until Ctrl-C",
                ctx => Tail(system, ctx), streaming: true)
            .Command("leave", "ask a member to leave gracefully; waits until it is leaving", ctx => Leave(system, cluster, ctx), [AddressArg])
            .Command("down", "mark a member down (it is removed from the cluster); waits until it is down", ctx => Down(system, cluster, ctx), [AddressArg])
            .Command("down-unreachable", "mark every unreachable member down", ctx => DownUnreachable(system, cluster, ctx))
            .Build();
    }

    private static async Task Show(Akka.Cluster.Cluster cluster, CommandContext ctx)
    {
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members.Concat(state.Unreachable.Where(u => !state.Members.Contains(u)))
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).ToList();
        await ctx.WriteLinesAsync(members.Select(m => MemberFormat.Line(m, !unreachable.Contains(m.Address)))).ConfigureAwait(false);
        await ctx.WriteLineAsync($"Count: {members.Count} nodes").ConfigureAwait(false);
    }

    private static Task Status(Akka.Cluster.Cluster cluster, CommandContext ctx)
    {
        var state = cluster.State;
        var self = cluster.SelfMember;
        var byStatus = state.Members.GroupBy(m => m.Status).OrderBy(g => g.Key)
            .Select(g => $"{g.Key} {g.Count()}");
        return ctx.WriteLinesAsync(
        [
            $"Self:        {self.Address} ({self.Status}, region {MemberFormat.Region(self)}, roles {MemberFormat.Roles(self)})",
            $"Leader:      {MemberFormat.Describe(state.Leader)}",
            $"Members:     {state.Members.Count} ({string.Join(", ", byStatus)})",
            $"Unreachable: {state.Unreachable.Count}{(state.Unreachable.Count == 0 ? "" : " (" + string.Join(", ", state.Unreachable.Select(m => m.Address)) + ")")}",
        ]);
    }

    private static async Task Tail(ActorSystem system, CommandContext ctx)
    {
        await ctx.WriteLineAsync("Streaming cluster events (Ctrl-C to stop)").ConfigureAwait(false);
        await foreach (var e in Events(system, ctx.Cancellation).ConfigureAwait(false))
            await ctx.WriteLineAsync($"{HumanTime.Rfc3339(DateTimeOffset.UtcNow)} {MemberFormat.Event(e)}").ConfigureAwait(false);
    }

    private static async Task Leave(ActorSystem system, Akka.Cluster.Cluster cluster, CommandContext ctx)
    {
        var address = KnownMember(cluster, ctx.Command.Argument("address"));
        cluster.Leave(address);
        await ctx.WriteLineAsync($"Asked {address} to leave").ConfigureAwait(false);
        var seen = await AwaitStatus(system, ctx, [address], e => e is ClusterEvent.MemberLeft or ClusterEvent.MemberExited or ClusterEvent.MemberRemoved, "leaving")
            .ConfigureAwait(false);
        await ctx.WriteLineAsync($"{address} is {seen[address]}").ConfigureAwait(false);
    }

    private static async Task Down(ActorSystem system, Akka.Cluster.Cluster cluster, CommandContext ctx)
    {
        var address = KnownMember(cluster, ctx.Command.Argument("address"));
        cluster.Down(address);
        await ctx.WriteLineAsync($"Marked {address} down").ConfigureAwait(false);
        var seen = await AwaitStatus(system, ctx, [address], IsDownOrGone, "down").ConfigureAwait(false);
        await ctx.WriteLineAsync($"{address} is {seen[address]}").ConfigureAwait(false);
    }

    private static async Task DownUnreachable(ActorSystem system, Akka.Cluster.Cluster cluster, CommandContext ctx)
    {
        var targets = DownTargets(cluster.State.Unreachable.Select(m => (m.Address, m.Status)));
        if (targets.Count == 0)
        {
            await ctx.WriteLineAsync("No unreachable members").ConfigureAwait(false);
            return;
        }
        foreach (var a in targets)
        {
            cluster.Down(a);
            await ctx.WriteLineAsync($"Marked {a} down").ConfigureAwait(false);
        }
        var seen = await AwaitStatus(system, ctx, targets, IsDownOrGone, "down").ConfigureAwait(false);
        await ctx.WriteLinesAsync(targets.Select(a => $"{a} is {seen[a]}")).ConfigureAwait(false);
    }

    /// <summary>The unreachable members that down-unreachable marks down, in address order.</summary>
    /// <remarks>A member already marked down stays unreachable until the leader removes it, and so does one that has left
    /// (Exiting: its system shut down after the leave; the leader removes it without convergence on it): nothing left to
    /// do for either. Seen in ClusterMembershipChangeSpec: a member that had just left was "marked down" too.</remarks>
    internal static List<Address> DownTargets(IEnumerable<(Address Address, MemberStatus Status)> unreachable) =>
        unreachable.Where(m => m.Status is not (MemberStatus.Down or MemberStatus.Exiting)).Select(m => m.Address).Order().ToList();

    private static bool IsDownOrGone(ClusterEvent.IMemberEvent e) => e is ClusterEvent.MemberDowned or ClusterEvent.MemberRemoved;

    private static Address KnownMember(Akka.Cluster.Cluster cluster, string text)
    {
        Address address;
        try
        {
            address = Address.Parse(text);
        }
        catch (Exception e) when (e is UriFormatException or FormatException or ArgumentException)
        {
            throw new CommandUsageException($"'{text}' is not a member address ({e.Message})");
        }
        var state = cluster.State;
        if (state.Members.Any(m => m.Address == address) || state.Unreachable.Any(m => m.Address == address)) return address;
        var known = string.Join(", ", state.Members.Select(m => m.Address));
        throw new CommandFailedException($"{address} is not a member of the cluster; members: {known}");
    }

    /// <summary>Waits until every address has seen a matching member event; the result maps each to its status.</summary>
    private static async Task<Dictionary<Address, string>> AwaitStatus(
        ActorSystem system, CommandContext ctx, List<Address> addresses,
        Func<ClusterEvent.IMemberEvent, bool> reached, string what)
    {
        var seen = new Dictionary<Address, string>();
        using var deadline = ctx.Deadline(ctx.Timeouts.Change);
        try
        {
            await foreach (var e in Events(system, deadline.Token).ConfigureAwait(false))
            {
                if (e is ClusterEvent.IMemberEvent m && addresses.Contains(m.Member.Address) && reached(m))
                    seen[m.Member.Address] = m is ClusterEvent.MemberRemoved ? "Removed" : m.Member.Status.ToString();
                if (seen.Count == addresses.Count) return seen;
            }
        }
        catch (OperationCanceledException) when (!ctx.Cancellation.IsCancellationRequested)
        {
        }
        var missing = string.Join(", ", addresses.Where(a => !seen.ContainsKey(a)));
        throw new CommandFailedException(
            $"timed out after {ctx.Timeouts.Change.TotalSeconds:0}s waiting for {missing} to be {what} (the request stands; check 'cluster show')");
    }

    /// <summary>Cluster events from a relay actor that lives as long as the enumeration.</summary>
    private static async IAsyncEnumerable<ClusterEvent.IClusterDomainEvent> Events(
        ActorSystem system, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateUnbounded<ClusterEvent.IClusterDomainEvent>(new UnboundedChannelOptions { SingleReader = true });
        var relay = system.ActorOf(ClusterEventRelay.Props(channel.Writer));
        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                yield return e;
        }
        finally
        {
            relay.Tell(PoisonPill.Instance);
        }
    }
}
