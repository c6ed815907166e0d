#!/usr/bin/env bash
# failover-for-maintenance.sh [PRIMARY_CLUSTER [SECONDARY_CLUSTER]]
# The operations guide's "Scenario 1: Planned Maintenance on Primary Cluster".
#
# Settings (environment): PRIMARY_CLUSTER, SECONDARY_CLUSTER (or the arguments; the guide's
# defaults), MAINTENANCE_HOURS (override expiry, default 4), WAIT_SECONDS (how long to wait for the
# secondary to take over, default 30: the guide's sleep), and lib/forge-common.sh's settings
# (KUBE_CONTEXT, MONITORING_URL, POLL_SECONDS, ...).
# Exit status: 0 once the secondary forges and the primary does not; 1 otherwise.
set -euo pipefail
# shellcheck source=lib/forge-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/forge-common.sh"

PRIMARY_CLUSTER=${1:-${PRIMARY_CLUSTER:-us-east-1-prod}}
SECONDARY_CLUSTER=${2:-${SECONDARY_CLUSTER:-us-west-2-prod}}
MAINTENANCE_HOURS=${MAINTENANCE_HOURS:-4}
WAIT_SECONDS=${WAIT_SECONDS:-30}
need_whole_number WAIT_SECONDS MAINTENANCE_HOURS

echo "1. Check current state:"
kctl get cardanoforgeclusters -o wide

echo "2. Disable primary cluster:"
# date --iso-8601=seconds prints a numeric offset (+00:00), which is valid RFC 3339. When the
# override expires the coordinator ends it and restores Priority-based: the maintenance window
# cannot be forgotten.
kctl patch cardanoforgeCluster "$PRIMARY_CLUSTER" --type='merge' -p='{
  "spec": {
    "forgeState": "Disabled",
    "override": {
      "enabled": true,
      "reason": "Scheduled maintenance",
      "expiresAt": "'"$(date -d "+${MAINTENANCE_HOURS} hours" --iso-8601=seconds)"'"
    }
  }
}'

echo "3. Wait for secondary to take over (up to ${WAIT_SECONDS} seconds):"
# The guide sleeps 30 s and then looks; waiting for the condition returns as soon as the handover
# is done and fails plainly when it is not. Done = the secondary has a verified leader and the
# primary has none (a planned handover stops the old forger before the new one starts).
ok=0
wait_until "handover from $PRIMARY_CLUSTER to $SECONDARY_CLUSTER" "$WAIT_SECONDS" \
  handover_done "$SECONDARY_CLUSTER" "$PRIMARY_CLUSTER" || ok=1

echo "4. Verify secondary cluster is now forging:"
kctl get cardanoforgeCluster "$SECONDARY_CLUSTER" -o jsonpath='{.status.activeLeader}'
echo

echo "5. Check metrics:"
if [ -n "$MONITORING_URL" ]; then
  prom_query 'cardano_cluster_forge_enabled{cluster="'"$SECONDARY_CLUSTER"'"}' || echo "WARNING: $MONITORING_URL did not answer"
  echo
else
  echo "(MONITORING_URL is empty: skipped)"
fi

if [ "$ok" != 0 ]; then
  echo "FAILOVER NOT COMPLETE: $SECONDARY_CLUSTER is not verified forging (or $PRIMARY_CLUSTER still is)."
  echo "Do not start maintenance on $PRIMARY_CLUSTER. Current state:"
  kctl get cardanoforgeclusters -o wide || true
  exit 1
fi
echo "Failover complete. Perform maintenance on $PRIMARY_CLUSTER"
echo "To restore: run restore-after-maintenance.sh"
