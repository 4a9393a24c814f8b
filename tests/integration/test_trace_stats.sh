#!/usr/bin/env bash
# trace --stats: every {"kind":"flow"} record agrees with figures check_stats.py computes from
# the frame records of the same run, on every shipped capture and, where ../shared/corpus is
# beside the checkout, on every file of the public corpus; the text table has a row per
# direction, the same acked bytes and the formula it uses. usage: SOCKSCOPE REPO [SHARED]
set -u
bin=$1 repo=$2 shared=${3:-$repo/../shared}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() { # FILE: the JSON flow records against the frames
  "$bin" trace "$1" --stats --format json >"$tmp/j" 2>"$tmp/e"
  local rc=$?
  [ $rc = 2 ] && return 0 # refused with a message: the corpus test says why
  if out=$(python3 "$here/check_stats.py" <"$tmp/j" 2>&1) || grep -q "no flow records" <<<"$out"; then
    passed=$((passed+1))
  else
    echo "FAIL: $(basename "$1"): $out"; failed=$((failed+1))
  fi
}
for c in "$repo"/captures/*.pcap; do check "$c"; done
if [ -d "$shared/corpus/tcpdump" ]; then
  for c in "$shared"/corpus/tcpdump/*.pcap "$shared"/corpus/tcpdump/*.pcapng; do check "$c"; done
else
  echo "note: no public corpus at $shared/corpus: only the shipped captures are checked"
fi

# the text table: one row per direction after the diagram, and the formula it uses
"$bin" trace "$repo/captures/tcp-loss.pcap" --stats --ascii --width 100 >"$tmp/t"
json_acked=$("$bin" trace "$repo/captures/tcp-loss.pcap" --stats --format json |
  python3 -c 'import json,sys
for l in sys.stdin:
    r=json.loads(l)
    if r.get("kind")=="flow": print(r["client_to_server"]["acked_bytes"])')
row=$(grep -E '^tcp:0 ' "$tmp/t")
if [ -n "$row" ] && [ "$(awk '{print $6}' <<<"$row")" = "$json_acked" ] &&
   grep -q 'throughput = acked / (last ACK - first data)' "$tmp/t" &&
   [ "$(grep -cE ' -> ' "$tmp/t")" = 2 ]; then
  passed=$((passed+1))
else
  echo "FAIL: the --stats table (acked $json_acked in JSON):"; grep -A4 'TCP conv' "$tmp/t"; failed=$((failed+1))
fi
# without --stats nothing of it
"$bin" trace "$repo/captures/tcp-loss.pcap" --ascii --width 100 >"$tmp/t"
"$bin" trace "$repo/captures/tcp-loss.pcap" --format json >"$tmp/j"
if grep -q 'TCP conversations' "$tmp/t" || grep -q '"kind":"flow"' "$tmp/j"; then
  echo "FAIL: statistics without --stats"; failed=$((failed+1))
else
  passed=$((passed+1))
fi
echo "$passed passed, $failed failed"
[ $failed = 0 ]
