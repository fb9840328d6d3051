#!/usr/bin/env bash
# Measures holdfast serve under the milter load client miltload: messages
# per second and per CPU-second, latency percentiles and peak memory.
#
# usage: bench/milter.sh [CONCURRENCY...]        (default: 1 2 4)
#
# It needs the shared bench folder beside the repository (miltload and
# gencorpus are built from there into $BIN_DIR). holdfast is pinned to CPU
# 0 and miltload to CPU 1, so figures read per core. Everything listens on
# 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
BIN_DIR=${BIN_DIR:-/tmp/holdfast-bench-bin}
CORPUS=${CORPUS:-/tmp/holdfast-bench-corpus}
PORT=${PORT:-18891}
WORK=$(mktemp -d /tmp/holdfast-bench.XXXXXX)
conc=("$@")
[ ${#conc[@]} -gt 0 ] || conc=(1 2 4)

if [ ! -d "$SHARED/bench" ]; then
	echo "bench: $SHARED/bench is absent: set SHARED to the shared folder" >&2
	exit 2
fi
[ -x "$BIN_DIR/miltload" ] || BIN_DIR=$BIN_DIR "$SHARED/bench/build.sh" >/dev/null
[ -d "$CORPUS" ] || "$BIN_DIR/gencorpus" -out "$CORPUS" >/dev/null

go build -o "$WORK/holdfast" ./cmd/holdfast
# DNS goes to a closed port on loopback, so SPF, DKIM and DMARC lookups
# fail at once and no query leaves the machine; the store and the review
# pages live in the work folder and stay off the default port.
cat > "$WORK/holdfast.toml" <<TOML
[milter]
listen = "inet:127.0.0.1:$PORT"
[dns]
servers = ["127.0.0.1:1"]
[store]
dsn = "$WORK/holdfast.db"
[web]
listen = ""
[log]
level = "warn"
TOML

"$WORK/holdfast" serve --config "$WORK/holdfast.toml" 2>"$WORK/serve.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$WORK"' EXIT
taskset -pc 0 $pid >/dev/null
sleep 1

for c in "${conc[@]}"; do
	echo "== concurrency $c"
	# A warm-up pass fills caches and grows the heap to its working size.
	taskset -c 1 "$BIN_DIR/miltload" -addr "127.0.0.1:$PORT" -corpus "$CORPUS" -c "$c" \
		-n 200 -q >/dev/null
	taskset -c 1 "$BIN_DIR/miltload" -addr "127.0.0.1:$PORT" -corpus "$CORPUS" -c "$c" \
		-peer-pids $pid -label "holdfast c=$c" -q | tee "$WORK/c$c.json"
	grep -E 'VmHWM|VmRSS' /proc/$pid/status
done
