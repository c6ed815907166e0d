#!/usr/bin/env bash
# The whole suite: installs what the tests need (as root on Debian), builds once, runs every test project,
# and ends with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"

# Debian packages the tests use (spin: grant-quorum model; prometheus/promtool: rules and the end-to-end scrape;
# faketime: wall-clock jumps; iproute2/nftables: network partitions; util-linux: setpriv --pdeathsig; gcc: spin verifiers;
# shellcheck: the guide's scripts in deploy/scripts; clang-14/zlib1g-dev: the Release build links the native agent).
DEBIAN_PACKAGES=(spin gcc util-linux iproute2 nftables faketime prometheus curl jq shellcheck clang-14 zlib1g-dev)

install_missing() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && command -v dpkg-query >/dev/null || return 0
  local missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "test.sh: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || echo "test.sh: WARNING: could not install ${missing[*]}; tests that need them will fail, not pass"
}
install_missing

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
CONFIG=${CONFIG:-Release}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

echo "test.sh: building Coordinator.sln ($CONFIG)"
if ! dotnet build Coordinator.sln -c "$CONFIG" -nologo -clp:ErrorsOnly -warnaserror; then
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

# Test projects run one after another (2 cores; several of them start real processes).
# FORGE_TEST_FILTER narrows the run, e.g. FORGE_TEST_FILTER='Category!=Slow'.
mapfile -t projects < <(find tests -name '*.Tests.csproj' | sort)
status=0
for proj in "${projects[@]}"; do
  name=$(basename "$proj" .csproj)
  echo "test.sh: running $name"
  args=(test "$proj" -c "$CONFIG" --no-build --nologo --logger "trx;LogFileName=$results/$name.trx" --results-directory "$results")
  [ -n "${FORGE_TEST_FILTER:-}" ] && args+=(--filter "$FORGE_TEST_FILTER")
  dotnet "${args[@]}" || status=1
  [ -f "$results/$name.trx" ] || { echo "test.sh: $name produced no results"; echo "$name" >>"$results/crashed"; status=1; }
done

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
[ -f "$results/crashed" ] && failed=$((failed + $(wc -l <"$results/crashed")))
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
