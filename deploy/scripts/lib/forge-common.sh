# shellcheck shell=bash
# Helpers shared by the operations guide's scripts (sourced, not run).
#
# Settings (environment variables; defaults are the guide's):
#   KUBE_CONTEXT       kubectl context to use (default: the current context). Every region's
#                      Kubernetes shows every CardanoForgeCluster of the pool, so any live region will do.
#   KUBE_NAMESPACE     namespace (default: the context's namespace).
#   MONITORING_URL     Prometheus base URL (default http://monitoring.example.com, as in the guide);
#                      empty skips the metric checks.
#   POLL_SECONDS       pause between two checks while waiting for a condition (default 2).
#   CURL_MAX_SECONDS   timeout of one HTTP request (default 10).
#   KUBECTL_REQUEST_TIMEOUT  request timeout for calls that may hit a dead API server (default 10s).

POLL_SECONDS=${POLL_SECONDS:-2}
CURL_MAX_SECONDS=${CURL_MAX_SECONDS:-10}
KUBECTL_REQUEST_TIMEOUT=${KUBECTL_REQUEST_TIMEOUT:-10s}
MONITORING_URL=${MONITORING_URL-http://monitoring.example.com}
STATEFULSET=${STATEFULSET:-cardano-node}
AGENT_CONTAINER=${AGENT_CONTAINER:-forge-manager}
POD_SELECTOR=${POD_SELECTOR:-app=cardano-node}
METRICS_PORT=${METRICS_PORT:-8000}
LOCAL_METRICS_PORT=${LOCAL_METRICS_PORT:-8000}
PORT_FORWARD_WAIT_SECONDS=${PORT_FORWARD_WAIT_SECONDS:-15}

# need_whole_number NAME...: stops with a message naming the setting unless each is a whole number
# (bash arithmetic would otherwise fail later with a cryptic error, or treat 08 as octal).
need_whole_number() {
  local name value
  for name in "$@"; do
    value=${!name}
    if ! [[ $value =~ ^(0|[1-9][0-9]*)$ ]]; then
      echo "ERROR: $name must be a whole number, not '$value'" >&2
      exit 2
    fi
  done
}
need_whole_number POLL_SECONDS PORT_FORWARD_WAIT_SECONDS

# kubectl with the optional context and namespace; nothing is added when they are unset, so the
# calls are exactly the guide's.
kctl() {
  kctl_prefix
  kubectl "${KCTL_PREFIX[@]}" "$@"
}
kctl_prefix() {
  KCTL_PREFIX=()
  if [ -n "${KUBE_CONTEXT:-}" ]; then KCTL_PREFIX+=(--context "$KUBE_CONTEXT"); fi
  if [ -n "${KUBE_NAMESPACE:-}" ]; then KCTL_PREFIX+=(--namespace "$KUBE_NAMESPACE"); fi
}

# wait_until DESCRIPTION SECONDS COMMAND...: runs COMMAND until it succeeds or SECONDS have passed
# (at least one check, even with SECONDS=0). The guide sleeps a fixed time and then looks once; a
# deadline returns as soon as the condition holds and says plainly when it never did.
wait_until() {
  local what=$1 limit=$2 deadline left
  shift 2
  deadline=$((SECONDS + limit))
  while :; do
    if "$@"; then return 0; fi
    left=$((deadline - SECONDS))
    if [ "$left" -le 0 ]; then
      echo "TIMEOUT: $what did not happen within ${limit}s" >&2
      return 1
    fi
    sleep "$((left < POLL_SECONDS ? left : POLL_SECONDS))"
  done
}

# The pod verified forging on CLUSTER (empty when none); the guide's own check.
active_leader() {
  kctl get cardanoforgeCluster "$1" -o jsonpath='{.status.activeLeader}'
}

leader_present() { [ -n "$(active_leader "$1" 2>/dev/null)" ]; }
leader_absent() {
  local out
  out=$(active_leader "$1" 2>/dev/null) || return 1
  [ -z "$out" ]
}

# CLUSTER forges and every cluster in the rest of the arguments does not: a handover is complete.
handover_done() {
  local to=$1 c
  shift
  leader_present "$to" || return 1
  for c in "$@"; do leader_absent "$c" || return 1; done
}

# Names of every CardanoForgeCluster, one per line.
cluster_names() {
  kctl get cardanoforgeclusters -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'
}

# Instant query against MONITORING_URL; prints Prometheus's JSON answer.
# The guide puts the query into the URL unencoded (curl ...?query='x{cluster="'$C'"}'): curl then
# reads {...} as its own URL glob and drops the braces, and the quotes are not URL-encoded, so the
# query Prometheus receives is not the one written. -G with --data-urlencode sends it intact.
prom_query() {
  curl -sS -G --max-time "$CURL_MAX_SECONDS" "${MONITORING_URL%/}/api/v1/query" --data-urlencode "query=$1"
}

# Prints the single value of an instant query's answer (empty when there is none or jq is missing).
prom_value() {
  command -v jq >/dev/null || { echo "(jq not installed: cannot read the answer)" >&2; return 0; }
  prom_query "$1" | jq -r '.data.result[0].value[1] // empty' 2>/dev/null
}

# Names of the agent pods.
agent_pods() {
  kctl get pods -l "$POD_SELECTOR" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'
}

# Prints POD's agent /metrics. The guide curls localhost:8000, which only answers with a
# port-forward running (its debug section starts one and never stops it); this starts one per pod,
# waits until it answers, and stops it again. The statefulset/ form would pick one pod only.
pod_metrics() {
  local pod=$1 pf out
  out=$(mktemp)
  # kubectl itself in the background (not the kctl function, whose subshell would be what $! names
  # and kill stops, leaving the port-forward running)
  kctl_prefix
  kubectl "${KCTL_PREFIX[@]}" port-forward "pod/$pod" "$LOCAL_METRICS_PORT:$METRICS_PORT" >/dev/null 2>&1 &
  pf=$!
  if wait_until "port-forward to $pod" "$PORT_FORWARD_WAIT_SECONDS" \
    curl -sf --max-time "$CURL_MAX_SECONDS" -o "$out" "http://localhost:$LOCAL_METRICS_PORT/metrics"; then
    cat "$out"
  fi
  kill "$pf" 2>/dev/null || true
  wait "$pf" 2>/dev/null || true
  rm -f "$out"
}

# Prints each agent's metric lines matching PATTERN (grep -E), prefixed with the pod name.
agents_grep() {
  local pattern=$1 pod found=1
  while IFS= read -r pod; do
    [ -n "$pod" ] || continue
    found=0
    pod_metrics "$pod" | grep -E "$pattern" | sed "s|^|$pod: |" || echo "$pod: (no $pattern series)"
  done < <(agent_pods)
  [ "$found" = 0 ] || echo "no pods match -l $POD_SELECTOR" >&2
}
