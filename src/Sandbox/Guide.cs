using System.Text;

namespace Forge.Sandbox;

/// <summary>The short guide printed once the sandbox is ready: which operations-guide commands to try.</summary>
internal static class Guide
{
    public static string Text(Layout layout, SandboxHost host)
    {
        var m = host.Manifest();
        var first = m.Regions[0];
        var second = m.Regions.Count > 1 ? m.Regions[1] : m.Regions[0];
        var node = first.Nodes[0];
        var repo = Binaries.RepositoryRoot(AppContext.BaseDirectory) ?? ".";
        var scripts = Path.Combine(repo, "deploy", "scripts");
        var sb = new StringBuilder();
        sb.AppendLine("----------------------------------------------------------------------------------------------");
        sb.AppendLine($"sandbox.json: {layout.ManifestPath}   (PIDs, URLs, logs; rewritten when a process restarts)");
        sb.AppendLine("In another terminal:");
        sb.AppendLine($"  export KUBECONFIG={m.Kubeconfig}");
        sb.AppendLine("  kubectl config get-contexts                      # one context per region, namespace cardano");
        sb.AppendLine("  kubectl get cardanoforgeclusters -o wide         # Quick Start 1");
        sb.AppendLine("  kubectl get cardanoforgeclusters -o custom-columns='NAME:.metadata.name,STATE:.status.effectiveState,PRIORITY:.status.effectivePriority,LEADER:.status.activeLeader,HEALTHY:.status.healthStatus.healthy'");
        sb.AppendLine($"  kubectl --context {second.Context} get cardanoforgeclusters -o wide   # every region shows every cluster");
        sb.AppendLine("  kubectl get pods -l app=cardano-node");
        sb.AppendLine("  kubectl logs -l app=cardano-node -c forge-manager --tail=20");
        sb.AppendLine("  kubectl describe cardanoforgeclusters");
        sb.AppendLine($"  curl -s {node.AgentMetrics} | grep cardano_cluster_    # {node.Id}'s forge-manager (port 8000 in a pod)");
        sb.AppendLine($"  tail -f {node.ForgeLog}   # slots it forged (the ground truth)");
        sb.AppendLine("Planned maintenance (Manual Failover, Scenarios 1 and 2), with kubectl as above:");
        sb.AppendLine($"  MONITORING_URL= {scripts}/failover-for-maintenance.sh");
        sb.AppendLine($"  MONITORING_URL= {scripts}/restore-after-maintenance.sh");
        sb.AppendLine($"  MONITORING_URL= {scripts}/emergency-failover.sh");
        sb.AppendLine($"Faults: kill -9 a fencePid from sandbox.json (restarted in {SandboxHost.FenceRestartDelay.TotalSeconds:0} s), an agentPid (its fence");
        sb.AppendLine("  disables the node and restarts it), a coordinator pid; watch the forge logs hand over.");
        sb.AppendLine($"Coordinators: {string.Join("  ", m.Regions.SelectMany(r => r.Coordinators).Select(c => c.Metrics))}");
        sb.AppendLine($"Operator shell ports: {string.Join("  ", m.Regions.SelectMany(r => r.Coordinators).Select(c => c.Shell))}");
        sb.AppendLine("Not served by the sandbox (real clusters only): kubectl exec, port-forward, top, rollout, patch statefulset;");
        sb.AppendLine("  kubectl auth can-i answers after: kubectl apply -f deploy/base/coordinator-rbac.yaml (see deploy/README.md).");
        sb.AppendLine("Stop with Ctrl-C (or SIGTERM): every child process is stopped.");
        sb.Append("----------------------------------------------------------------------------------------------");
        return sb.ToString();
    }
}
