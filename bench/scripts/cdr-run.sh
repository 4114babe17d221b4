#!/usr/bin/env bash
# One Nchf run against a fresh server with the CHF CDR files on or off (BENCHMARKS.md section 14):
#   bench/scripts/cdr-run.sh on|off RATE
# It needs server/target/credence.jar (`mvn -o -q install -DskipTests`).
set -euo pipefail
cd "$(dirname "$0")/../.."
cdr="${1:?on or off}"; rate="${2:?requests per second}"
J="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
JAR=server/target/credence.jar
DATA=/tmp/cdr-bench-data; rm -rf "$DATA"
"$J" -Xms4g -Xmx4g -XX:+AlwaysPreTouch -jar $JAR serve --data "$DATA" --http-port 18080 --diameter-port -1 \
   --catalog examples/catalog.json --cdr-files "$cdr" > /tmp/cdr-bench-server.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:18080/health/live && break; sleep 0.2; done
"$J" -Xms2g -Xmx2g -jar $JAR bench nchf --url http://127.0.0.1:18080 --http http://127.0.0.1:18080 \
   --subscribers 10000 --sessions 512 --connections 8 --updates 3 --warmup 15 --seconds 20 --rate "$rate"
echo "cdr=$cdr rate=$rate load=$(cut -d' ' -f1-3 /proc/loadavg) cdr-files=$(ls "$DATA/cdr" | grep -c _-_ || true)"
