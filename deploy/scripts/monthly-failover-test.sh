#!/usr/bin/env bash
# monthly-failover-test.sh [TARGET_CLUSTER ...]
# The guide's "Monthly Health Checks, 1. Test Manual Failover", whole:
#   ./test-failover.sh us-west-2-prod; sleep 300; ./restore-primary.sh us-east-1-prod
# for each TARGET_CLUSTER in turn (default us-west-2-prod; the guide says "to each cluster").
# While a target forges it is checked every POLL_SECONDS for RUN_SECONDS (the guide's sleep 300),
# so a test that loses forging fails at once instead of after five quiet minutes.
#
# Settings (environment): PRIMARY_CLUSTER (default us-east-1-prod), RUN_SECONDS (default 300), and
# those of test-failover.sh, restore-primary.sh and lib/forge-common.sh.
# Exit status: 0 when every target took over, kept forging and the primary came back.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib/forge-common.sh
source "$here/lib/forge-common.sh"

PRIMARY_CLUSTER=${PRIMARY_CLUSTER:-us-east-1-prod}
RUN_SECONDS=${RUN_SECONDS:-300}
need_whole_number RUN_SECONDS
[ $# -gt 0 ] || set -- us-west-2-prod

# hold TARGET: TARGET keeps a verified leader for RUN_SECONDS, checked every POLL_SECONDS. The pauses
# add up to RUN_SECONDS exactly (the checks' own time comes on top).
hold() {
  local target=$1 left=$RUN_SECONDS step
  while :; do
    if ! leader_present "$target"; then
      echo "   $target LOST forging with $left s of the test run left" >&2
      return 1
    fi
    [ "$left" -gt 0 ] || return 0
    step=$((left < POLL_SECONDS || POLL_SECONDS == 0 ? left : POLL_SECONDS))
    sleep "$step"
    left=$((left - step))
  done
}

status=0
for target in "$@"; do
  echo "=== failover test: $target ==="
  if "$here/test-failover.sh" "$target"; then
    echo "Let it run for ${RUN_SECONDS} seconds (checking $target keeps forging):"
    hold "$target" || status=1
  else
    status=1
  fi
  echo "=== restore $PRIMARY_CLUSTER ==="
  "$here/restore-primary.sh" "$PRIMARY_CLUSTER" || status=1
done

if [ "$status" != 0 ]; then
  echo "MONTHLY FAILOVER TEST FAILED (see above)"
  exit 1
fi
echo "MONTHLY FAILOVER TEST PASSED: $* took over and $PRIMARY_CLUSTER is forging again"
