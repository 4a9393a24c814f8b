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
# terminal_restored WHAT: after sockscope quit in tmux (`tm` runs tmux; pane `t` runs a shell
# whose prompt is 'PROMPT> '), the shell is back: its prompt, the normal screen, a visible
# cursor, a cooked terminal
terminal_restored() {
  wait_for '^PROMPT> ?$' "$1: the shell prompt is back"
  local alt cursor
  alt=$(tm display -p -t t '#{alternate_on}') cursor=$(tm display -p -t t '#{cursor_flag}')
  if [ "$alt" = 0 ] && [ "$cursor" = 1 ]; then passed=$((passed+1)); else
    echo "FAIL: $1: alternate screen $alt, cursor $cursor"; fails=$((fails+1)); fi
  tm send-keys -t t 'clear; stty -a | tr " " "\n" | grep -xE -- "-?(icanon|echo)" | tr "\n" " "; echo' Enter
  wait_for '^icanon echo ?$' "$1: stty shows icanon echo"
  tm send-keys -t t 'clear' Enter
}

# finish: the counts, and the exit status of the test
finish() {
  echo "$passed checks passed, $fails failed"
  [ "$fails" = 0 ]
}
