#!/usr/bin/env bash
# disable-secondary-clusters.sh [KEEP_CLUSTER]
# The guide's troubleshooting "Issue 2: Multiple Clusters Forging": disable every cluster but one,
# then re-enable them one by one after investigation.
#
# The guide's pipeline,
#   kubectl get cardanoforgeclusters --sort-by='{.spec.priority}' -o name | tail -n +2 |
#     xargs -I {} kubectl patch {} --type='merge' -p='{"spec":{"forgeState":"Disabled"}}'
# is wrong twice: it keeps the cluster with the best *spec* priority, even when that one is
# Disabled or an override (forcePriority, forceState) made another the intended forger, so it can
# disable every forger but none it meant to keep; and spec.forgeState does not win over an
# override's forceState, so a cluster forced Enabled keeps forging. This keeps KEEP_CLUSTER (default:
# the cluster the coordinators rank first: lowest status.effectivePriority that is not Disabled) and
# pins every other one Disabled through the override as well.
# Settings: lib/forge-common.sh's (KUBE_CONTEXT, ...).
set -euo pipefail
# shellcheck source=lib/forge-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/forge-common.sh"

rows=$(kctl get cardanoforgeclusters -o jsonpath='{range .items[*]}{.metadata.name}{"|"}{.status.effectiveState}{"|"}{.status.effectivePriority}{"|"}{.spec.priority}{"\n"}{end}')
KEEP_CLUSTER=${1:-${KEEP_CLUSTER:-}}
if [ -z "$KEEP_CLUSTER" ]; then
  # effective priority when the coordinators wrote one, else the spec's; Disabled ones never kept
  KEEP_CLUSTER=$(awk -F'|' '$1 != "" && $2 != "Disabled" { p = ($3 != "" ? $3 : $4); print p "|" $1 }' <<<"$rows" |
    sort -t'|' -k1,1n -k2,2 | head -n 1 | cut -d'|' -f2)
fi
if [ -z "$KEEP_CLUSTER" ] || ! cut -d'|' -f1 <<<"$rows" | grep -qxF "$KEEP_CLUSTER"; then
  echo "ERROR: no cluster to keep (give one: disable-secondary-clusters.sh <name>). Nothing was changed." >&2
  exit 2
fi

echo "Keeping $KEEP_CLUSTER; disabling every other cluster:"
# "expiresAt": null drops an override's expiry, whose lapse would quietly restore Priority-based.
status=0
while IFS='|' read -r name _; do
  if [ -z "$name" ] || [ "$name" = "$KEEP_CLUSTER" ]; then continue; fi
  kctl patch cardanoforgeCluster "$name" --type='merge' -p='{"spec":{"forgeState":"Disabled","override":{"enabled":true,"reason":"Multiple clusters forging: disabled by disable-secondary-clusters.sh","forceState":"Disabled","expiresAt":null}}}' || status=1
done <<<"$rows"
kctl get cardanoforgeclusters -o wide || true
echo "Re-enable one by one after investigation:"
echo "  kubectl patch cardanoforgeCluster <name> --type=merge -p '{\"spec\":{\"forgeState\":\"Priority-based\",\"override\":{\"enabled\":false}}}'"
exit $status
