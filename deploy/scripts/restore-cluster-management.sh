#!/usr/bin/env bash
# restore-cluster-management.sh
# The operations guide's "Restore Cluster Management": this region's forge managers rejoin the
# coordinators (ENABLE_CLUSTER_MANAGEMENT=true).
# Settings (environment): ROLLOUT_TIMEOUT (default 10m), STATEFULSET, AGENT_CONTAINER and
# lib/forge-common.sh's other settings.
set -euo pipefail
# shellcheck source=lib/forge-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/forge-common.sh"

ROLLOUT_TIMEOUT=${ROLLOUT_TIMEOUT:-10m}

echo "RESTORING CLUSTER MANAGEMENT"

echo "1. Re-enable cluster management:"
# Not the guide's merge patch of spec.template.spec.containers: that replaces the whole container
# list (see emergency-recovery.sh). kubectl set env changes just this variable.
kctl set env "statefulset/$STATEFULSET" -c "$AGENT_CONTAINER" ENABLE_CLUSTER_MANAGEMENT=true

echo "2. Wait for rollout:"
kctl rollout status "statefulset/$STATEFULSET" --timeout="$ROLLOUT_TIMEOUT"

echo "3. Verify cluster management is active:"
kctl get cardanoforgeclusters -o wide

echo "4. Check cluster metrics:"
agents_grep '^cardano_cluster_'

# emergency-recovery.sh pinned the other clusters Disabled; re-enabling them is a decision for
# the operator once the coordinators are healthy again, so it is only listed here.
pinned=$(kctl get cardanoforgeclusters -o jsonpath='{range .items[*]}{.metadata.name}{"\t"}{.spec.override.reason}{"\n"}{end}' |
  awk -F'\t' '$2 ~ /^Emergency recovery: / {print $1}')
if [ -n "$pinned" ]; then
  echo "Still Disabled by emergency-recovery.sh (re-enable one by one, in one region's context):"
  for name in $pinned; do
    echo "  kubectl patch cardanoforgeCluster $name --type=merge -p '{\"spec\":{\"forgeState\":\"Priority-based\",\"override\":{\"enabled\":false}}}'"
  done
fi

echo "CLUSTER MANAGEMENT RESTORED"
