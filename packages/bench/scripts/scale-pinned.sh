#!/usr/bin/env bash
# bench:scale with the Kinesis emulator on a core of its own (Linux, util-linux `taskset`): kinesalite is pinned to
# CPU 1 and the worker processes, the machine-floor probe, the coordinator (and its producer) and the bench's
# redis-server to CPU 0, as if Kinesis ran elsewhere, as it does in production. On a 2-core machine kinesalite
# otherwise takes more than one core and the scheduler delays the worker's event loop (see README, "machine floor").
#
#   packages/bench/scripts/scale-pinned.sh [bench:scale options...]
#   e.g. packages/bench/scripts/scale-pinned.sh --shards 1000 --workers 1 --phase-seconds 120 --json > out.json
#
# Workers that join after the first are pinned when they appear (checked every second).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
command -v taskset >/dev/null || { echo "scale-pinned.sh: taskset (util-linux) is required" >&2; exit 2; }
[ "$(nproc)" -ge 2 ] || { echo "scale-pinned.sh: needs at least 2 CPUs" >&2; exit 2; }

node "$here/dist/scale-cli.js" "$@" &
bench=$!

pin() { taskset -a -cp "$1" "$2" >/dev/null 2>&1; }
pinned=" "
while kill -0 "$bench" 2>/dev/null; do
  for pid in $(pgrep -f "kinesalite-child.js"); do
    case "$pinned" in *" $pid "*) ;; *) pin 1 "$pid" && pinned="$pinned$pid " ;; esac
  done
  # The bench's own redis-server (a free port), never a system one on 6379.
  for pid in $bench $(pgrep -f "scale-worker-child.js") $(pgrep -f "scale-floor-child.js") $(pgrep -f "redis-server 127.0.0.1:[0-9]+" | while read -r p; do grep -q "127.0.0.1:6379" "/proc/$p/cmdline" 2>/dev/null || echo "$p"; done); do
    case "$pinned" in *" $pid "*) ;; *) pin 0 "$pid" && pinned="$pinned$pid " ;; esac
  done
  sleep 1
done
wait "$bench"
