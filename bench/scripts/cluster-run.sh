#!/bin/bash
# Gy through one node vs through a three-node Raft group, on this machine (BENCHMARKS.md section 13).
#
#   [THROUGH=leader|follower] [CONNECTIONS=n] bench/scripts/cluster-run.sh single|cluster RATE [SECONDS] [WARMUP]
#
# CONNECTIONS sets leader.connections in each node's cluster file (default: the built-in 16).
# single: one `credence serve` (the embedded journal). cluster: three `credence serve --cluster`
# nodes on loopback (Raft ports 9871-9873), the generator connected to the Diameter port of the
# leader or of a follower (THROUGH, default follower). Every
# server gets -Xms2g -Xmx2g; the subscribers (10,000) are created through the HTTP API first, in
# the same run. The three nodes, the generator and the provisioning share the same two cores.
set -u
cd "$(dirname "$0")/../.."
mode=$1; rate=$2; seconds=${3:-20}; warmup=${4:-10}
tmp=${TMPDIR:-/tmp}/credence-cluster-bench
pkill -f "data $tmp/" ; pkill -f "credence-cluster-bench/data-n"; sleep 1
rm -rf "$tmp" && mkdir -p "$tmp"
opts="-Xms2g -Xmx2g -XX:+AlwaysPreTouch"
nodes=1; [ "$mode" = cluster ] && nodes=3
for n in $(seq 1 $nodes); do
  args=(serve --data "$tmp/data-n$n" --http-port $((8080 + n)) --diameter-port $((3868 + n)) --diameter-peer bench.credence.local)
  if [ "$mode" = cluster ]; then
    printf 'group = bench\nself = n%s\npeer.n1 = 127.0.0.1:9871\npeer.n2 = 127.0.0.1:9872\npeer.n3 = 127.0.0.1:9873\n' "$n" > "$tmp/cluster-n$n.properties"
    [ -n "${CONNECTIONS:-}" ] && echo "leader.connections = $CONNECTIONS" >> "$tmp/cluster-n$n.properties"
    args+=(--cluster "$tmp/cluster-n$n.properties")
  fi
  CREDENCE_JAVA_OPTS="$opts" ./credence "${args[@]}" > "$tmp/server-n$n.log" 2>&1 &
done
for n in $(seq 1 $nodes); do
  for _ in $(seq 1 240); do grep -q "diameter on" "$tmp/server-n$n.log" 2>/dev/null && break; sleep 0.5; done
done
./credence bench diameter --port 3869 --http http://127.0.0.1:8081 --subscribers 10000 --rate 500 --duration 1 --warmup 0 > "$tmp/provision.txt" 2>&1
port=3869
if [ "$mode" = cluster ]; then
  ./credence cluster status --cluster "$tmp/cluster-n1.properties" 2>/dev/null | tee "$tmp/status.txt" | cut -c1-90
  role=LEADER; [ "${THROUGH:-follower}" = follower ] && role=FOLLOWER
  node=$(awk -v r=$role '$3 == r { sub("n", "", $1); print $1; exit }' "$tmp/status.txt")
  port=$((3868 + node)); echo "generator through n$node ($role), Diameter port $port"
fi
read -r l1 _ < /proc/loadavg
CREDENCE_JAVA_OPTS="-Xms2g -Xmx2g -XX:+AlwaysPreTouch" ./credence bench diameter --port $port --subscribers 10000 \
  --sessions 2000 --warmup "$warmup" --duration "$seconds" --rate "$rate"
echo "load average before the run: $l1"
pkill -f "data $tmp/" ; sleep 2
