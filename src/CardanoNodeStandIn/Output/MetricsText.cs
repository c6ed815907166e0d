using System.Globalization;
using System.Text;
using Forge.StandIn.Chain;
using Forge.StandIn.Forging;

namespace Forge.StandIn.Output;

/// <summary>Renders the node's state as cardano-node's Prometheus series (the names the guide and the agent read).</summary>
internal static class MetricsText
{
    public static string Render(NodeState s, long currentSlot, bool synced, KesPeriods kes)
    {
        var b = new StringBuilder();
        void Gauge(string name, long value) =>
            b.Append("# TYPE ").Append(name).Append(" gauge\n")
             .Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

        Gauge("cardano_node_metrics_forging_enabled", s.ForgingMetric ? 1 : 0);
        Gauge("cardano_node_metrics_Forge_forged_int", s.Forged);
        Gauge("cardano_node_metrics_Forge_node_is_leader_int", s.NodeIsLeader);
        Gauge("cardano_node_metrics_Forge_node_not_leader_int", s.NodeNotLeader);
        Gauge("cardano_node_metrics_Forge_about_to_lead_int", s.AboutToLead);
        Gauge("cardano_node_metrics_Forge_could_not_forge_int", s.CouldNotForge);
        Gauge("cardano_node_metrics_Forge_adopted_int", s.Forged);
        Gauge("cardano_node_metrics_slotNum_int", s.TipSlot);
        // one block every 20 slots from the rest of the network (active slot coefficient 0.05) plus our own
        Gauge("cardano_node_metrics_blockNum_int", s.TipSlot / 20 + s.Forged);
        Gauge("cardano_node_metrics_currentKESPeriod_int", kes.CurrentPeriod(currentSlot));
        if (s.OpCert is { } cert)
        {
            Gauge("cardano_node_metrics_operationalCertificateStartKESPeriod_int", (long)cert.KesPeriod);
            Gauge("cardano_node_metrics_operationalCertificateExpiryKESPeriod_int", kes.ExpiryPeriod(cert.KesPeriod));
            Gauge("cardano_node_metrics_remainingKESPeriods_int", kes.Remaining(cert.KesPeriod, currentSlot));
        }
        // not cardano-node series: what the stand-in simulates, for tests and the sandbox
        Gauge("cardano_node_standin_current_slot", currentSlot);
        Gauge("cardano_node_standin_synced", synced ? 1 : 0);
        Gauge("cardano_node_standin_kernel_up", s.KernelUp ? 1 : 0);
        Gauge("cardano_node_standin_forging_true", s.Forging ? 1 : 0);
        return b.ToString();
    }
}
