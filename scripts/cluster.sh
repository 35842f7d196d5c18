#!/usr/bin/env bash
# A cluster on this machine, no Docker: the embedded broker and NODES detector processes (default 3) on loopback, one
# Akka cluster and one consumer group, checkpoints in a SQLite file. Dashboards on ports 8081.. ; Ctrl+C stops all.
# Feed it with:  dotnet run --project src/Fraud.Generator -- --bootstrap 127.0.0.1:19092 --rate 2000
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
nodes="${NODES:-3}"
broker_port="${BROKER_PORT:-19092}"
seed_port="${SEED_PORT:-4053}"
work="$(mktemp -d)"
dotnet build "$root/src/Fraud.Host" -v q -nologo > "$work/build.log" || { cat "$work/build.log"; exit 1; }
fraud=("dotnet" "$root/src/Fraud.Host/bin/Debug/net10.0/fraud.dll")

broker=""
nodes_pids=()
stop() {
  # Nodes first (they drain and commit through the broker), then the broker.
  echo "stopping ${#nodes_pids[@]} nodes, then the broker"
  [ ${#nodes_pids[@]} -gt 0 ] && { kill -TERM "${nodes_pids[@]}" 2> /dev/null; wait "${nodes_pids[@]}" 2> /dev/null; }
  [ -n "$broker" ] && { kill -TERM "$broker" 2> /dev/null; wait "$broker" 2> /dev/null; }
  rm -rf "$work"
}
trap 'stop; exit 0' INT TERM

"${fraud[@]}" broker --port "$broker_port" > "$work/broker.log" 2>&1 &
broker=$!
sleep 2
for i in $(seq 0 $((nodes - 1))); do
  # env, not plain assignments: librdkafka property names have dots, which shell variable names cannot.
  env "Kafka__BootstrapServers=127.0.0.1:$broker_port" \
    "Kafka__Consumer__fetch.wait.max.ms=10" \
    "Cluster__Port=$((seed_port + i))" \
    "Cluster__SeedNodes__0=akka.tcp://fraud@127.0.0.1:$seed_port" \
    "Detector__NodeName=node-$i" \
    "Checkpoints__Store=sqlite" \
    "Checkpoints__ConnectionString=Data Source=$work/checkpoints.db" \
    "Dashboard__Urls=http://127.0.0.1:$((8081 + i))" \
    "${fraud[@]}" detect > "$work/node-$i.log" 2>&1 &
  nodes_pids+=($!)
  echo "node-$i: dashboard http://127.0.0.1:$((8081 + i)), log $work/node-$i.log"
done
echo "broker: 127.0.0.1:$broker_port; Ctrl+C stops everything"
wait
