using System.Net;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Forge.Nodes;
using Forge.Transport;

namespace Forge.Coordinator.Hosting;

/// <summary>The agent gateway (mutual TLS, src/Actors/Transport) when <c>forge.coordinator.agent-port</c> is set, listening
/// from the moment this coordinator is Up in the cluster: each session becomes an <see cref="AgentConnection"/> actor that forwards into the node entities and the renewal
/// batcher.</summary>
public static class AgentGatewayHosting
{
    public static AkkaConfigurationBuilder AddForgeAgentGateway(this AkkaConfigurationBuilder builder, ForgeConfiguration fc)
    {
        if (fc.Coordinator.AgentPort <= 0) return builder;
        return builder.AddStartup(async (system, registry) =>
        {
            var nodes = await registry.GetAsync<NodeEntity>();
            var renewals = await registry.GetAsync<RenewalsKey>();
            var proposer = await registry.GetAsync<Forge.Grants.GrantProposerActor>();
            var bridge = new AgentSessionBridge(system, nodes, renewals, proposer, fc.Nodes.SyncedMaxLagSlots, fc.CoordinatorId);
            var log = Akka.Event.Logging.GetLogger(system, "agent-gateway");
            var server = new AgentGatewayServer(new IPEndPoint(IPAddress.Any, fc.Coordinator.AgentPort),
                new TlsSettings(fc.Coordinator.AgentCaPath, fc.Coordinator.AgentCertPath, fc.Coordinator.AgentKeyPath),
                bridge, log: m => log.Info(m));
            // Agents are served once this coordinator is Up: before that a registration waits for the cluster, and an agent
            // linked here would hold its link on a coordinator that cannot serve it yet. Agents linked elsewhere meanwhile
            // come back once the port accepts (their link's return-home interval).
            var gate = new object();
            var stopped = false;
            Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() =>
            {
                lock (gate)
                {
                    if (stopped) return;
                    server.Start();
                }
                log.Info("agent gateway listening on {0} (this coordinator is Up)", server.LocalEndPoint);
            });
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "agent-gateway",
                async () =>
                {
                    lock (gate) stopped = true;
                    await server.DisposeAsync();
                    return Akka.Done.Instance;
                });
        });
    }
}
