#!/bin/bash
# One measured run of a load generator against a fresh `credence serve` on the same machine,
# with the server's CPU in the measured window, by thread (BENCHMARKS.md section 12).
#
#   bench/scripts/server-cpu-run.sh diameter|nchf|devices RATE [SECONDS] [WARMUP] [BATCH]
#
# The server starts on a copy of $BASE (default ${TMPDIR:-/tmp}/credence-cc, made once:
#   ./credence serve --data $BASE --diameter-peer bench.credence.local &
#   ./credence bench diameter --http http://127.0.0.1:8080 --subscribers 10000 --rate 100 --duration 1
# then stop the server), with -Xms4g -Xmx4g; the generator runs with -Xms2g -Xmx2g.
set -u
cd "$(dirname "$0")/../.."
kind=$1; rate=$2; seconds=${3:-30}; warmup=${4:-30}; batch=${5:-1}
tmp=${TMPDIR:-/tmp}
base=${BASE:-$tmp/credence-cc}
run=$tmp/credence-run
gen=$tmp/credence-gen-$kind-$rate.txt
pkill -f "data $run" ; while ss -ltn | grep -qE ":(3868|8080) "; do sleep 1; done
rm -rf "$run" && cp -r "$base" "$run"
CREDENCE_JAVA_OPTS="-Xms4g -Xmx4g -XX:+AlwaysPreTouch -XX:+UseTransparentHugePages -Xlog:gc:file=$tmp/credence-gc-$kind-$rate.log" \
  ./credence serve --data "$run" --diameter-peer bench.credence.local > "$tmp/credence-server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do grep -q "listening" "$tmp/credence-server.log" 2>/dev/null && break; sleep 0.5; done
case $kind in
  diameter) args=(diameter --subscribers 10000 --sessions 2000 --warmup "$warmup" --duration "$seconds" --rate "$rate"); ready="connected from"; said="$tmp/credence-server.log";;
  nchf) args=(nchf --url http://127.0.0.1:8080 --http http://127.0.0.1:8080 --subscribers 10000 --sessions 512
              --connections 8 --updates 3 --warmup "$warmup" --seconds "$seconds" --rate "$rate"); ready="subscribers: "; said=$gen;;
  devices) args=(devices --url http://127.0.0.1:8080 --agents 2000 --concurrency 256 --connections 4 --reports 20
                 --batch "$batch" --warmup "$warmup" --seconds "$seconds" --rate "$rate"); ready="provisioned "; said=$gen;;
  *) echo "usage: $0 diameter|nchf|devices RATE [SECONDS] [WARMUP] [BATCH]" >&2; kill $server; exit 2;;
esac
CREDENCE_JAVA_OPTS="-Xms2g -Xmx2g -XX:+AlwaysPreTouch -XX:+UseTransparentHugePages" ./credence bench "${args[@]}" > "$gen" 2>&1 &
generator=$!
# the window opens once the generator has begun (connected, or done provisioning) and warmed up
for _ in $(seq 1 600); do grep -q "$ready" "$said" 2>/dev/null && break; sleep 0.2; done
sleep "$warmup"
threads() { for t in /proc/$server/task/*; do echo "$(tr ' ' _ < "$t/comm") $(awk '{print $14, $15}' "$t/stat")"; done; }
machine() { awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8, $5+$6}' /proc/stat; }
threads > "$tmp/credence-threads0"; read -r total0 idle0 < <(machine)
sleep "$seconds"
threads > "$tmp/credence-threads1"; read -r total1 idle1 < <(machine)
wait $generator
cat "$gen"
echo "machine in the window: $(( total1 - total0 )) cs of CPU time, $(( idle1 - idle0 )) cs idle (2 cores = 200 cs/s)"
echo "server CPU in the window by thread (cs, user / system):"
awk 'NR==FNR { gsub(/[0-9]+/, "N", $1); u0[$1] += $2; s0[$1] += $3; next }
     { gsub(/[0-9]+/, "N", $1); u1[$1] += $2; s1[$1] += $3 }
     END { for (k in u1) { u = u1[k] - u0[k]; s = s1[k] - s0[k]; if (u + s > 0) { printf "%7d  %6d / %6d  %s\n", u + s, u, s, k; all += u + s } }
           printf "%7d  total\n", all }' "$tmp/credence-threads0" "$tmp/credence-threads1" | sort -rn
echo "G1 pauses: $(grep -c Pause "$tmp/credence-gc-$kind-$rate.log"), longest $(grep Pause "$tmp/credence-gc-$kind-$rate.log" | awk '{v=$NF; sub("ms","",v); if (v+0>m) m=v+0} END {print m}') ms"
grep "snapshot at" "$tmp/credence-server.log"
kill $server; wait $server 2>/dev/null
