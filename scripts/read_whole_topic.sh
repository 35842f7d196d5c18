#!/usr/bin/env bash
# Prints a whole topic (default: queueing.transactions), one JSON record per line, then a count.
#   scripts/read_whole_topic.sh [TOPIC]                    reads from the compose stack's broker
#   BOOTSTRAP=127.0.0.1:19092 scripts/read_whole_topic.sh  reads from any broker (e.g. 'fraud broker') without Docker
set -euo pipefail
topic="${1:-queueing.transactions}"
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -n "${BOOTSTRAP:-}" ]; then
  exec dotnet run --project "$root/src/Fraud.Host" -- topic read "$topic" --from-beginning --bootstrap "$BOOTSTRAP"
fi
source "$(dirname "$0")/compose.sh"
compose exec broker /opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server localhost:9092 \
  --topic "$topic" --from-beginning --timeout-ms 5000 || true
