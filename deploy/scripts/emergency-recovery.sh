#!/usr/bin/env bash
# emergency-recovery.sh [OTHER_CONTEXT ...]
# The operations guide's "Complete System Recovery": this region's forge managers leave cluster
# management (ENABLE_CLUSTER_MANAGEMENT=false) and elect a forger among themselves with a Lease.
#
# Arguments: kubectl contexts of the pool's other regions. In each one it can reach (and in this
# region's own context) every CardanoForgeCluster except LOCAL_CLUSTER is set Disabled first.
# Settings (environment): LOCAL_CLUSTER (this region's CardanoForgeCluster; default: the
# forge-manager's CLUSTER_NAME in the StatefulSet), ROLLOUT_TIMEOUT (default 10m), STATEFULSET
# (cardano-node), AGENT_CONTAINER (forge-manager), KUBECTL_REQUEST_TIMEOUT, and
# lib/forge-common.sh's other settings (KUBE_CONTEXT is this region's context).
set -euo pipefail
# shellcheck source=lib/forge-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/forge-common.sh"

ROLLOUT_TIMEOUT=${ROLLOUT_TIMEOUT:-10m}
LOCAL_CONTEXT=${KUBE_CONTEXT:-}

echo "INITIATING EMERGENCY RECOVERY"

if [ -z "${LOCAL_CLUSTER:-}" ]; then
  LOCAL_CLUSTER=$(kctl get statefulset "$STATEFULSET" -o jsonpath="{.spec.template.spec.containers[?(@.name==\"$AGENT_CONTAINER\")].env[?(@.name==\"CLUSTER_NAME\")].value}" 2>/dev/null || true)
fi
if [ -z "$LOCAL_CLUSTER" ]; then
  echo "ERROR: cannot tell this region's CardanoForgeCluster; set LOCAL_CLUSTER=<name>. Nothing was changed." >&2
  exit 2
fi

cat <<TEXT

================================ READ THIS ================================
Single-cluster mode takes $LOCAL_CLUSTER out of the global guarantee that at most one node
of the pool forges. Its forge managers then decide only among themselves (a Kubernetes Lease in
this region); nothing outside this region can stop them, and they cannot stop anyone else.
When the grant quorum is still reachable they first take an ordinary grant for this region, which
holds the other regions off; when it is not, nothing does.

By running this you take responsibility that, until restore-cluster-management.sh has run:
  - no node of any other region forges with this pool's keys: every other CardanoForgeCluster
    stays Disabled (this script disables those it can reach, below), no other region is put
    into single-cluster mode, and nobody re-enables another cluster;
  - any region this script cannot reach is stopped by you (scale its StatefulSet to 0, or
    remove the pool's keys there) before it can come back;
  - two forgers at once means competing blocks for the same slots: lost blocks and rewards.
===========================================================================

TEXT

# Disabled, and pinned there: an override's forceState beats spec.forgeState (a failover test's
# forceState Enabled would otherwise survive), and "expiresAt": null removes a maintenance
# override's expiry, whose lapse would restore Priority-based by itself.
DISABLE_PATCH='{
  "spec": {
    "forgeState": "Disabled",
    "override": {
      "enabled": true,
      "reason": "Emergency recovery: '"$LOCAL_CLUSTER"' runs in single-cluster mode",
      "forceState": "Disabled",
      "expiresAt": null
    }
  }
}'
not_disabled=()

# disable_others CONTEXT: in CONTEXT (empty: this region's), every cluster but LOCAL_CLUSTER.
disable_others() {
  local ctx=$1 label names name
  label=${ctx:-this region (${LOCAL_CONTEXT:-current context})}
  if ! names=$(KUBE_CONTEXT=$ctx cluster_names_with_timeout); then
    echo "   $label: UNREACHABLE"
    not_disabled+=("every cluster as seen from $label")
    return 0
  fi
  for name in $names; do
    [ "$name" = "$LOCAL_CLUSTER" ] && continue
    if KUBE_CONTEXT=$ctx kctl patch cardanoforgeCluster "$name" --type='merge' --request-timeout="$KUBECTL_REQUEST_TIMEOUT" -p="$DISABLE_PATCH" >/dev/null; then
      echo "   $label: $name Disabled"
    else
      echo "   $label: $name COULD NOT BE DISABLED"
      not_disabled+=("$name as seen from $label")
    fi
  done
}
cluster_names_with_timeout() {
  kctl get cardanoforgeclusters --request-timeout="$KUBECTL_REQUEST_TIMEOUT" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'
}

# Stops with what was done so far: the other clusters stay Disabled until someone re-enables them.
fail() {
  echo "EMERGENCY RECOVERY FAILED: $1" >&2
  echo "The clusters disabled above stay Disabled (restore-cluster-management.sh lists them)." >&2
  exit 1
}

echo "0. Disable every other cluster of the pool where it can be reached:"
disable_others "$LOCAL_CONTEXT"
for ctx in "$@"; do disable_others "$ctx"; done
if [ $# -eq 0 ]; then
  echo "   (no other contexts given: other regions were disabled only through this region's copies)"
fi

echo "1. Disable cluster management temporarily:"
# The guide's JSON merge patch of spec.template.spec.containers replaces the whole container list
# (merge patch replaces arrays): the pod template would keep a forge-manager with no image and lose
# cardano-node. kubectl set env edits the one variable of the one container.
kctl set env "statefulset/$STATEFULSET" -c "$AGENT_CONTAINER" ENABLE_CLUSTER_MANAGEMENT=false ||
  fail "could not change statefulset/$STATEFULSET: this region is still in cluster mode"

echo "2. Wait for rollout:"
# --timeout: the guide waits forever on a rollout that cannot finish.
kctl rollout status "statefulset/$STATEFULSET" --timeout="$ROLLOUT_TIMEOUT" ||
  fail "the rollout did not finish within $ROLLOUT_TIMEOUT: some pods may still be in cluster mode"

echo "3. Verify forge manager is working in single-cluster mode:"
kctl logs "statefulset/$STATEFULSET" -c "$AGENT_CONTAINER" | tail -20 || echo "WARNING: could not read the forge-manager log"

echo "4. Check local leadership:"
agents_grep '^cardano_(leader_status|standalone_mode)'

echo "EMERGENCY RECOVERY ACTIVE - INVESTIGATE AND FIX CLUSTER MANAGEMENT"
if [ ${#not_disabled[@]} -gt 0 ]; then
  echo "NOT DISABLED - stop these yourself, you are responsible for them:"
  printf '  - %s\n' "${not_disabled[@]}"
fi
echo "To restore cluster management, run: restore-cluster-management.sh"
