using Akka.Cluster;
using Akka.TestKit;

namespace Forge.Coordinator.Tests;

/// <summary>A TestKit system that is a cluster of itself, a coordinator: for actors that need cluster membership
/// (the failover watch's rank) or the cluster's pub-sub mediator.</summary>
internal static class OneMemberCluster
{
    public const string Config = """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.loglevel = WARNING
        akka.cluster.roles = [coordinator]
        """;

    /// <summary>Joins the system to itself and waits (deadline 10 s) until it is Up.</summary>
    public static void JoinSelf(TestKitBase kit)
    {
        var cluster = Akka.Cluster.Cluster.Get(kit.Sys);
        cluster.Join(cluster.SelfAddress);
        kit.AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(10));
    }
}
