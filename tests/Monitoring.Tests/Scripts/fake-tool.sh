#!/usr/bin/env bash
# Stand-in for kubectl, curl and sleep in the script tests: records its argv and answers from rules.
# $FAKE_TOOLS_DIR/<tool>/calls/NNNNN  one file per call, arguments NUL-separated
# $FAKE_TOOLS_DIR/<tool>/rules/I.match  the call matches when its arguments, joined by spaces, contain this text
# $FAKE_TOOLS_DIR/<tool>/rules/I.K.{out,err,rc}  the K-th answer of rule I (the last one repeats)
# kubectl port-forward stays up like the real one (until killed) and marks itself up; curl to
# localhost fails as "connection refused" while no port-forward is up.
tool=$(basename "$0")
dir="$FAKE_TOOLS_DIR/$tool"
mkdir -p "$dir/calls"
n=$(($(cat "$dir/count" 2>/dev/null || echo 0) + 1))
echo "$n" >"$dir/count"
printf '%s\0' "$@" >"$dir/calls/$(printf %05d "$n")"
joined="$*"

if [ "$tool" = kubectl ] && [[ " $joined " == *" port-forward "* ]]; then
  marker="$FAKE_TOOLS_DIR/port-forward.up"
  "$FAKE_REAL_SLEEP" 600 &
  child=$!
  trap 'rm -f "$marker"; kill "$child" 2>/dev/null; exit 0' TERM INT
  touch "$marker"
  wait "$child"
  exit 0
fi

out=/dev/stdout
if [ "$tool" = curl ]; then
  if [[ "$joined" == *"http://localhost:"* ]] && [ ! -e "$FAKE_TOOLS_DIR/port-forward.up" ]; then
    echo "curl: (7) Failed to connect to localhost port 8000: Connection refused" >&2
    exit 7
  fi
  prev=
  for a in "$@"; do
    if [ "$prev" = -o ]; then out=$a; fi
    prev=$a
  done
fi

i=1
while [ -e "$dir/rules/$i.match" ]; do
  match=$(cat "$dir/rules/$i.match")
  if [[ "$joined" == *"$match"* ]]; then
    k=$(($(cat "$dir/rules/$i.count" 2>/dev/null || echo 0) + 1))
    echo "$k" >"$dir/rules/$i.count"
    while [ "$k" -gt 1 ] && [ ! -e "$dir/rules/$i.$k.rc" ]; do k=$((k - 1)); done
    cat "$dir/rules/$i.$k.out" >"$out"
    cat "$dir/rules/$i.$k.err" >&2
    exit "$(cat "$dir/rules/$i.$k.rc")"
  fi
  i=$((i + 1))
done
exit 0
