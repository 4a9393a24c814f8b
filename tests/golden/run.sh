#!/usr/bin/env bash
# Golden tests: `sockscope trace` of every capture in captures/ against the expected text
# diagram and JSON Lines in tests/golden/expected/. After a deliberate change of output,
# regenerate with:  UPDATE=1 bash tests/golden/run.sh build/sockscope captures tests/golden
# and review the diff before committing it.
# usage: run.sh SOCKSCOPE CAPTURES_DIR GOLDEN_DIR
set -u
bin=$1 captures=$2 golden=$3
export LC_ALL=C.UTF-8 TZ=UTC
unset NO_COLOR
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
for cap in "$captures"/*.pcap "$captures"/*.pcapng; do
  [ -e "$cap" ] || continue
  name=$(basename "${cap%.*}")
  for kind in txt jsonl; do
    if [ $kind = txt ]; then
      "$bin" trace "$cap" --width 100 --no-color >"$tmp/out" 2>"$tmp/err"
    else
      "$bin" trace "$cap" --format json >"$tmp/out" 2>"$tmp/err"
    fi
    rc=$?
    want="$golden/expected/$name.$kind"
    if [ $rc != 0 ]; then
      echo "FAIL $name.$kind: exit $rc: $(head -c 300 "$tmp/err")"; failed=$((failed+1)); continue
    fi
    if [ "${UPDATE:-0}" = 1 ]; then cp "$tmp/out" "$want"; fi
    if [ ! -f "$want" ]; then
      echo "FAIL $name.$kind: no expected output (run with UPDATE=1 and review it)"; failed=$((failed+1))
    elif ! diff -u "$want" "$tmp/out" >"$tmp/diff"; then
      echo "FAIL $name.$kind differs from $want:"; head -40 "$tmp/diff"; failed=$((failed+1))
    else
      passed=$((passed+1))
    fi
  done
done
[ $((passed+failed)) -gt 0 ] || { echo "no captures in $captures"; exit 1; }
echo "golden: $passed passed, $failed failed"
[ $failed = 0 ]
