# Sourced by the terminal UI tests: checks on the screen text in $tmp/screen, counted in
# $passed and $fails. The caller sets tmp, and for wait_for a function `pane` that prints the
# terminal's screen (tmux capture-pane).
fails=0 passed=0

# has PATTERN WHAT: the screen matches the extended regular expression PATTERN
has() {
  if grep -qE -- "$1" "$tmp/screen"; then passed=$((passed+1)); else
    echo "FAIL: $2: no /$1/ on the screen:"; sed 's/^/    | /' "$tmp/screen"; fails=$((fails+1)); fi
}
# hasnt PATTERN WHAT: it does not
hasnt() {
  if ! grep -qE -- "$1" "$tmp/screen"; then passed=$((passed+1)); else
    echo "FAIL: $2: /$1/ is on the screen:"; sed 's/^/    | /' "$tmp/screen"; fails=$((fails+1)); fi
}
# wait_for PATTERN WHAT [SECONDS]: until the screen (from `pane`) matches; default
# $wait_default seconds (5 unless the caller sets it)
wait_for() {
  local end=$((SECONDS + ${3:-${wait_default:-5}}))
  while [ $SECONDS -le $end ]; do
    pane >"$tmp/screen" 2>/dev/null
    if grep -qE -- "$1" "$tmp/screen"; then passed=$((passed+1)); return 0; fi
    sleep 0.1
  done
  echo "FAIL: $2: no /$1/ on the screen:"; sed 's/^/    | /' "$tmp/screen"; fails=$((fails+1))
  return 1
}
# finish: the counts, and the exit status of the test
finish() {
  echo "$passed checks passed, $fails failed"
  [ "$fails" = 0 ]
}
