#!/usr/bin/env bash
# restore-after-maintenance.sh [PRIMARY_CLUSTER]
# The operations guide's "Scenario 2: Restore After Maintenance".
#
# Settings (environment): PRIMARY_CLUSTER (or the argument; default us-east-1-prod), WAIT_SECONDS
# (how long to wait for the primary to resume leadership, default 60: the guide's sleep), and
# lib/forge-common.sh's settings.
# Exit status: 0 once the primary is verified forging again; 1 otherwise.
set -euo pipefail
# shellcheck source=lib/forge-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/forge-common.sh"

PRIMARY_CLUSTER=${1:-${PRIMARY_CLUSTER:-us-east-1-prod}}
WAIT_SECONDS=${WAIT_SECONDS:-60}
need_whole_number WAIT_SECONDS

echo "1. Re-enable primary cluster:"
kctl patch cardanoforgeCluster "$PRIMARY_CLUSTER" --type='merge' -p='{
  "spec": {
    "forgeState": "Priority-based",
    "override": {
      "enabled": false
    }
  }
}'

echo "2. Wait for primary to resume leadership (up to ${WAIT_SECONDS} seconds):"
# Waits for the condition the guide checks after its fixed 60 s sleep.
ok=0
wait_until "$PRIMARY_CLUSTER resuming leadership" "$WAIT_SECONDS" leader_present "$PRIMARY_CLUSTER" || ok=1

echo "3. Verify primary cluster is forging again:"
kctl get cardanoforgeCluster "$PRIMARY_CLUSTER" -o jsonpath='{.status.activeLeader}'
echo

echo "4. Confirm all clusters are healthy:"
kctl get cardanoforgeclusters -o wide

if [ "$ok" != 0 ]; then
  echo "RESTORE NOT COMPLETE: $PRIMARY_CLUSTER is not verified forging. Check its health and 'kubectl describe cardanoforgeCluster $PRIMARY_CLUSTER'."
  exit 1
fi
echo "Restore complete. Primary cluster is active again."
