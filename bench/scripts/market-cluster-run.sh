#!/bin/bash
# Market contracts through one node vs through a three-node Raft group (BENCHMARKS.md section 13).
#
#   [THROUGH=leader|follower] bench/scripts/market-cluster-run.sh single|cluster CONTRACTS [THREADS]
#
# single: one `credence serve` (the embedded journal). cluster: three `credence serve --cluster`
# nodes on loopback (Raft ports 9871-9873) with the same market keys, the proposals sent to the
# leader or to a follower (THROUGH, default follower), which sends them to the leader. Then, on a
# cluster, the leader is SIGKILLed and the time until a survivor answers a market request is
# measured: a new leader is elected, catches up and replays the contract log just written.
# Every server gets -Xms1g -Xmx1g; servers and generator share the same two cores.
set -u
cd "$(dirname "$0")/../.."
mode=$1; contracts=$2; threads=${3:-16}
tmp=${TMPDIR:-/tmp}/credence-market-bench
pkill -f "credence-market-bench/data-n"; sleep 1
rm -rf "$tmp" && mkdir -p "$tmp"
nodes=1; [ "$mode" = cluster ] && nodes=3
for n in $(seq 1 $nodes); do
  if [ "$n" -gt 1 ]; then # the market keys every node must share: made by the first node's start, copied
    for _ in $(seq 1 120); do [ -f "$tmp/data-n1/market/validator-4.key" ] && break; sleep 0.5; done
    mkdir -p "$tmp/data-n$n/market" && cp "$tmp"/data-n1/market/*.key "$tmp/data-n$n/market/"
  fi
  args=(serve --data "$tmp/data-n$n" --http-port $((8080 + n)) --diameter-port $((3868 + n)))
  if [ "$mode" = cluster ]; then
    printf 'group = bench\nself = n%s\npeer.n1 = 127.0.0.1:9871\npeer.n2 = 127.0.0.1:9872\npeer.n3 = 127.0.0.1:9873\n' "$n" > "$tmp/cluster-n$n.properties"
    args+=(--cluster "$tmp/cluster-n$n.properties")
  fi
  CREDENCE_JAVA_OPTS="-Xms1g -Xmx1g" ./credence "${args[@]}" > "$tmp/server-n$n.log" 2>&1 &
done
for n in $(seq 1 $nodes); do
  for _ in $(seq 1 240); do grep -q "listening on" "$tmp/server-n$n.log" 2>/dev/null && break; sleep 0.5; done
done
node=1
if [ "$mode" = cluster ]; then
  ./credence cluster status --cluster "$tmp/cluster-n1.properties" 2>/dev/null | tee "$tmp/status.txt" | cut -c1-90
  role=LEADER; [ "${THROUGH:-follower}" = follower ] && role=FOLLOWER
  node=$(awk -v r=$role '$3 == r { sub("n", "", $1); print $1; exit }' "$tmp/status.txt")
  leader=$(awk '$3 == "LEADER" { sub("n", "", $1); print $1; exit }' "$tmp/status.txt")
  echo "proposals through n$node ($role)"
fi
read -r l1 _ < /proc/loadavg
./credence bench contracts --http "http://127.0.0.1:$((8080 + node))/" --contracts "$contracts" --threads "$threads"
echo "load average before the run: $l1"
if [ "$mode" = cluster ]; then
  survivor=$(( leader % 3 + 1 ))
  killed=$(date +%s%N)
  pkill -9 -f "credence-market-bench/data-n$leader "
  for _ in $(seq 1 1200); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 70 "http://127.0.0.1:$((8080 + survivor))/v1/market/offers")
    [ "$code" = 200 ] && break
    sleep 0.05
  done
  echo "leader n$leader SIGKILLed: first market answer (HTTP $code) through n$survivor after $(( ($(date +%s%N) - killed) / 1000000 )) ms"
  grep -h "market opened" "$tmp"/server-n*.log | tail -2
fi
pkill -f "credence-market-bench/data-n"; sleep 2
