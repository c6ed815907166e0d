#!/usr/bin/env bash
# prometheus-for-sandbox.sh SANDBOX_DIR [--config-only] [--listen ADDR]
# Runs a real Prometheus (Debian package prometheus) against a running sandbox
# (`dotnet run --project src/Coordinator -- sandbox --dir SANDBOX_DIR`) with this directory's rules:
# every agent as job forge-agent (instance <cluster>/<pod>, label pod), every coordinator as job
# forge-coordinator (label region). Scrapes and evaluates every SCRAPE_SECONDS (default 2) so alerts
# turn pending within seconds; `for:` durations are the production ones.
# --config-only writes SANDBOX_DIR/prometheus/prometheus.yml (and targets) and exits.
# Needs jq. Listens on --listen (default 127.0.0.1:9090).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rules="$here/../rules/cardano-forge.rules.yml"

dir=${1:?usage: prometheus-for-sandbox.sh SANDBOX_DIR [--config-only] [--listen ADDR]}
shift
config_only=0
listen=127.0.0.1:9090
while [ $# -gt 0 ]; do
  case $1 in
    --config-only) config_only=1 ;;
    --listen) listen=${2:?--listen needs ADDR}; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
SCRAPE_SECONDS=${SCRAPE_SECONDS:-2}
manifest="$dir/sandbox.json"
[ -f "$manifest" ] || { echo "no $manifest: is the sandbox running (it writes it once ready)?" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is required (apt-get install jq)" >&2; exit 2; }

out="$dir/prometheus"
mkdir -p "$out/data"

# file_sd targets from the manifest's absolute URLs: host:port, with the path as __metrics_path__.
# The manifest is rewritten when processes restart; Prometheus re-reads these files when they change.
url_target='capture("^(?<scheme>https?)://(?<hostport>[^/]+)(?<path>/.*)?$")'
jq "[.regions[] as \$r | \$r.nodes[] | (.agentMetrics | $url_target) as \$u |
  {targets: [\$u.hostport], labels: {instance: .id, pod: .pod,
   __metrics_path__: (\$u.path // \"/metrics\"), __scheme__: \$u.scheme}}]" "$manifest" >"$out/agents.json.tmp"
jq "[.regions[] as \$r | \$r.coordinators[] | (.metrics | $url_target) as \$u |
  {targets: [\$u.hostport], labels: {region: \$r.region,
   __metrics_path__: (\$u.path // \"/metrics\"), __scheme__: \$u.scheme}}]" "$manifest" >"$out/coordinators.json.tmp"
mv "$out/agents.json.tmp" "$out/agents.json"
mv "$out/coordinators.json.tmp" "$out/coordinators.json"

cat >"$out/prometheus.yml" <<YAML
# written by deploy/monitoring/sandbox/prometheus-for-sandbox.sh from $manifest
global:
  scrape_interval: ${SCRAPE_SECONDS}s
  scrape_timeout: ${SCRAPE_SECONDS}s
  evaluation_interval: ${SCRAPE_SECONDS}s
rule_files:
  - $rules
scrape_configs:
  - job_name: forge-agent
    file_sd_configs:
      - files: [$out/agents.json]
        refresh_interval: 5s
  - job_name: forge-coordinator
    # the coordinators' own region labels win: forge_coordinator_arbiter_host{region} names the arbiter's region,
    # not the scraped coordinator's (without this Prometheus renames it exported_region)
    honor_labels: true
    file_sd_configs:
      - files: [$out/coordinators.json]
        refresh_interval: 5s
YAML
echo "wrote $out/prometheus.yml"
[ "$config_only" = 1 ] && exit 0

command -v prometheus >/dev/null || { echo "prometheus is not installed (apt-get install prometheus)" >&2; exit 2; }
exec prometheus --config.file="$out/prometheus.yml" --storage.tsdb.path="$out/data" \
  --web.listen-address="$listen" --storage.tsdb.retention.time=1d
