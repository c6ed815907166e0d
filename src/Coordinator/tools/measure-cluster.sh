#!/usr/bin/env bash
# Measures, with real processes on loopback and the production settings of hocon/*.conf:
#   1. cluster formation: from spawning three coordinators until all three report 3 Up members and /ready is healthy;
#   2. ForgeArbiter singleton move after `kill -9` of its host: until a survivor's /pools (answered by the singleton
#      through its proxy) succeeds again and /cluster/members names a new arbiter host.
# Usage: src/Coordinator/tools/measure-cluster.sh [trials]   (builds Release first; prints one line per trial)
set -euo pipefail
cd "$(dirname "$0")/../../.."
TRIALS=${1:-3}
dotnet build -c Release src/Coordinator -v q -nologo >/dev/null
BIN=src/Coordinator/bin/Release/net10.0/forge-coordinator
WORK=$(mktemp -d)
REGIONS='[us-east-1,us-west-2,eu-west-1]'
names=(us-east-1 us-west-2 eu-west-1)
now() { date +%s.%N; }
members_up() { curl -sf "http://127.0.0.1:$1/cluster/members" | grep -o '"status":"Up"' | wc -l; }
arbiter_host() { curl -sf "http://127.0.0.1:$1/cluster/members" | sed -n 's/.*"arbiterHost":"\([^"]*\)".*/\1/p'; }
start() { # index base-port
  local i=$1 p=$((4053 + $1 + $2)) h=$((8558 + $1 + $2))
  "$BIN" run --set "forge.cluster.regions=$REGIONS" --set "forge.cluster.region=${names[$i]}" \
    --set "forge.coordinator.port=$p" --set "forge.coordinator.http-port=$h" \
    --set "forge.coordinator.grant-replica=on" --set "forge.grants.data-directory=\"$WORK/r$i-$2\"" \
    --set "forge.cluster.seed-nodes=[\"akka.tcp://forge@127.0.0.1:$((4053 + $2))\"]" >"$WORK/c$i-$2.log" 2>&1 &
  echo $!
}
for t in $(seq 1 "$TRIALS"); do
  base=$((t * 10))
  t0=$(now)
  pids=($(start 0 $base) $(start 1 $base) $(start 2 $base))
  while :; do
    ok=1
    for i in 0 1 2; do
      h=$((8558 + i + base))
      [ "$(members_up $h 2>/dev/null || echo 0)" = 3 ] && curl -sf "http://127.0.0.1:$h/ready" >/dev/null || ok=0
    done
    [ $ok = 1 ] && break
    sleep 0.1
  done
  t1=$(now)
  host=$(arbiter_host $((8558 + base)))
  victim=0; for i in 0 1 2; do [[ "$host" == *":$((4053 + i + base))" ]] && victim=$i; done
  survivor=$(( (victim + 1) % 3 ))
  sh=$((8558 + survivor + base))
  curl -sf "http://127.0.0.1:$sh/pools" >/dev/null
  t2=$(now)
  kill -9 "${pids[$victim]}"
  while :; do
    nh=$(arbiter_host $sh || true)
    if [ -n "$nh" ] && [ "$nh" != "$host" ] && curl -sf -m 2 "http://127.0.0.1:$sh/pools" >/dev/null; then break; fi
    sleep 0.1
  done
  t3=$(now)
  printf 'trial %d: formation %.1f s; singleton moved from %s to %s %.1f s after kill -9\n' "$t" \
    "$(echo "$t1 - $t0" | bc)" "${names[$victim]}" "$nh" "$(echo "$t3 - $t2" | bc)"
  for i in 0 1 2; do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
done
rm -rf "$WORK"
