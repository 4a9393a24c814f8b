#!/usr/bin/env bash
# The net unit tests again as an unprivileged user (uid/gid 65534, no groups, as
# `setpriv --reuid=65534 --regid=65534 --clear-groups`): servers, clients, scenarios and the
# user + network namespace sandbox without root. Runs only as root (to drop privileges);
# skips, saying why, elsewhere. usage: test_net_unprivileged.sh SOCKSCOPE REPO
set -u
bin=$1
unit=$(dirname "$bin")/tests/test_net
if [ "$(id -u)" != 0 ]; then
  echo "skipped: already unprivileged (unit.test_net runs the same tests as this user)"; exit 77
fi
if ! command -v setpriv >/dev/null; then
  echo "skipped: setpriv (util-linux) is not installed"; exit 77
fi
if [ ! -x "$unit" ]; then
  echo "skipped: no unit test binary at $unit"; exit 77
fi
if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$unit"; then
  echo "skipped: uid 65534 cannot reach $unit (a private directory on the way?)"; exit 77
fi
cd /tmp || exit 1
exec timeout 300 setpriv --reuid=65534 --regid=65534 --clear-groups "$unit"
