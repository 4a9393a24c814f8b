#!/usr/bin/env bash
# Robustness over the public corpus of real and malformed captures (../shared/corpus): no
# crash, hang, sanitizer report or silent rejection. Skips (77) where the corpus is absent.
# usage: corpus.sh SOCKSCOPE SHARED_DIR
bin=$1 shared=$2
if [ ! -x "$shared/checks/corpus.sh" ] || [ ! -d "$shared/corpus/tcpdump" ]; then
  echo "skipped: no public corpus at $shared (it lives beside the checkout in ../shared)"
  exit 77
fi
exec bash "$shared/checks/corpus.sh" "$bin" "$shared/corpus/tcpdump"
