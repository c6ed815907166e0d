#!/usr/bin/env bash
# restore-primary.sh [PRIMARY_CLUSTER]
# Ends the guide's monthly failover test: clears the overrides test-failover.sh set and returns
# forging to PRIMARY_CLUSTER (default us-east-1-prod) as restore-after-maintenance.sh does.
#
# Settings (environment): WAIT_SECONDS (default 60) and lib/forge-common.sh's settings.
# Exit status: 0 when PRIMARY_CLUSTER forges alone again.
set -euo pipefail
# shellcheck source=lib/forge-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/forge-common.sh"

PRIMARY_CLUSTER=${1:-${PRIMARY_CLUSTER:-us-east-1-prod}}
WAIT_SECONDS=${WAIT_SECONDS:-60}
need_whole_number WAIT_SECONDS
TEST_REASON="Failover test (test-failover.sh)"

echo "1. Clear failover-test overrides:"
# Only the test's own overrides: an override set for maintenance or an emergency is the
# operator's, and is listed at the end instead.
overrides=$(kctl get cardanoforgeclusters -o jsonpath='{range .items[*]}{.metadata.name}{"|"}{.spec.override.enabled}{"|"}{.spec.override.reason}{"\n"}{end}')
while IFS='|' read -r name enabled reason; do
  if [ "$enabled" = true ] && [ "$reason" = "$TEST_REASON" ]; then
    kctl patch cardanoforgeCluster "$name" --type='merge' -p='{"spec":{"override":{"enabled":false}}}'
  fi
done <<<"$overrides"

echo "2. Re-enable primary cluster:"
kctl patch cardanoforgeCluster "$PRIMARY_CLUSTER" --type='merge' -p='{
  "spec": {
    "forgeState": "Priority-based",
    "override": {
      "enabled": false
    }
  }
}'

echo "3. Wait for $PRIMARY_CLUSTER to resume leadership (up to ${WAIT_SECONDS} seconds):"
mapfile -t others < <(cluster_names | grep -vxF -e "$PRIMARY_CLUSTER" -e '')
ok=0
wait_until "$PRIMARY_CLUSTER resuming leadership" "$WAIT_SECONDS" handover_done "$PRIMARY_CLUSTER" "${others[@]}" || ok=1

echo "4. Confirm all clusters:"
kctl get cardanoforgeclusters -o wide
while IFS='|' read -r name enabled reason; do
  if [ "$enabled" = true ] && [ "$name" != "$PRIMARY_CLUSTER" ] && [ "$reason" != "$TEST_REASON" ]; then
    echo "   NOTE: $name still has an active override: $reason"
  fi
done <<<"$overrides"

if [ "$ok" != 0 ]; then
  echo "RESTORE NOT COMPLETE: $PRIMARY_CLUSTER is not forging alone within ${WAIT_SECONDS}s."
  exit 1
fi
echo "Restore complete. $PRIMARY_CLUSTER is forging again."
