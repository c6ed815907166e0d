namespace Forge.Kubernetes.Tests.Kubectl;

/// <summary>
/// The operations guide's kubectl commands on CardanoForgeClusters, copied verbatim (a test checks each one
/// still appears in the guide). Variable assignments come from the guide's scripts too.
/// </summary>
internal static class GuideCommands
{
    public const string GetWide = "kubectl get cardanoforgeclusters -o wide";

    public const string GetPlain = "kubectl get cardanoforgeclusters";

    public const string PrimaryPriority = "kubectl get cardanoforgeCluster us-east-1-prod -o jsonpath='{.spec.priority}'";

    public const string SecondaryPriority = "kubectl get cardanoforgeCluster us-west-2-prod -o jsonpath='{.spec.priority}'";

    public const string MorningChecklist = "kubectl get cardanoforgeclusters -o custom-columns='NAME:.metadata.name,STATE:.status.effectiveState,PRIORITY:.status.effectivePriority,LEADER:.status.activeLeader,HEALTHY:.status.healthStatus.healthy'";

    public const string DescribeAll = "kubectl describe cardanoforgeclusters";

    public const string DescribeOne = "kubectl describe cardanoforgeCluster us-east-1-prod";

    public const string HealthEndpoints = "kubectl get cardanoforgeclusters -o json | jq -r '.items[].spec.healthCheck.endpoint'";

    public const string PriorityReview = "kubectl get cardanoforgeclusters -o custom-columns='NAME:.metadata.name,PRIORITY:.spec.priority' --sort-by='{.spec.priority}'";

    public const string DeletePrimary = "kubectl delete cardanoforgeCluster us-east-1-prod";

    public const string DisableAllSecondaries = "kubectl get cardanoforgeclusters --sort-by='{.spec.priority}' -o name | tail -n +2 | xargs -I {} kubectl patch {} --type='merge' -p='{\"spec\":{\"forgeState\":\"Disabled\"}}'";

    public const string HealthyFlags = "kubectl get cardanoforgeclusters -o jsonpath='{.items[*].status.healthStatus.healthy}'";

    public const string HealthEndpointOfPrimary = "ENDPOINT=$(kubectl get cardanoforgeCluster us-east-1-prod -o jsonpath='{.spec.healthCheck.endpoint}')";

    public const string GetPrimaryWide = "kubectl get cardanoforgeCluster us-east-1-prod -o wide";

    public const string EnablePrimary = """
        kubectl patch cardanoforgeCluster us-east-1-prod --type='merge' -p='{
          "spec": {"forgeState": "Priority-based"}
        }'
        """;

    public const string DisablePrimaryHealthChecks = """
        kubectl patch cardanoforgeCluster us-east-1-prod --type='merge' -p='{
          "spec": {"healthCheck": {"enabled": false}}
        }'
        """;

    public const string MaintenanceVariables = """
        PRIMARY_CLUSTER="us-east-1-prod"
        SECONDARY_CLUSTER="us-west-2-prod"
        """;

    public const string MaintenanceDisablePrimary = """
        kubectl patch cardanoforgeCluster $PRIMARY_CLUSTER --type='merge' -p='{
          "spec": {
            "forgeState": "Disabled",
            "override": {
              "enabled": true,
              "reason": "Scheduled maintenance",
              "expiresAt": "'$(date -d "+4 hours" --iso-8601=seconds)'"
            }
          }
        }'
        """;

    public const string MaintenanceVerifySecondary = "kubectl get cardanoforgeCluster $SECONDARY_CLUSTER -o jsonpath='{.status.activeLeader}'";

    public const string RestoreVariables = """
        PRIMARY_CLUSTER="us-east-1-prod"
        """;

    public const string RestorePrimary = """
        kubectl patch cardanoforgeCluster $PRIMARY_CLUSTER --type='merge' -p='{
          "spec": {
            "forgeState": "Priority-based",
            "override": {
              "enabled": false
            }
          }
        }'
        """;

    public const string RestoreVerifyPrimary = "kubectl get cardanoforgeCluster $PRIMARY_CLUSTER -o jsonpath='{.status.activeLeader}'";

    public const string EmergencyVariables = """
        FAILED_CLUSTER="us-east-1-prod"
        BACKUP_CLUSTER="us-west-2-prod"
        """;

    public const string EmergencyDisableFailed = """
        kubectl patch cardanoforgeCluster $FAILED_CLUSTER --type='merge' -p='{
          "spec": {
            "forgeState": "Disabled",
            "override": {
              "enabled": true,
              "reason": "Emergency failover - primary cluster failure"
            }
          }
        }' || echo "WARNING: Failed to update failed cluster (expected if cluster is down)"
        """;

    public const string EmergencyForceBackup = """
        kubectl patch cardanoforgeCluster $BACKUP_CLUSTER --type='merge' -p='{
          "spec": {
            "override": {
              "enabled": true,
              "reason": "Emergency failover",
              "forcePriority": 1
            }
          }
        }'
        """;

    public const string EmergencyVerifyBackup = "kubectl get cardanoforgeCluster $BACKUP_CLUSTER -o wide";

    public const string ForgeManagerLogsHealth = "kubectl logs -l app=cardano-node -c forge-manager | grep \"health check\" | tail -20";

    public const string ForgeManagerLogsTail = "kubectl logs -l app=cardano-node -c forge-manager | tail -50";

    public const string StatefulSetLogs = "kubectl logs statefulset/cardano-node -c forge-manager --tail=100";

    public const string CoordinatorCanWriteStatus = "kubectl auth can-i update cardanoforgeclusters/status --as=system:serviceaccount:cardano:forge-manager";

    public static IEnumerable<string> All => typeof(GuideCommands)
        .GetFields()
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!);
}
