#!/usr/bin/env bash
# Starts Kafka, creates the topics, starts PostgreSQL, the generator and DETECTORS detector nodes (default 1: the seed;
# each one more is a replica of the scalable "detector" service). The seed's dashboard: http://localhost:8080
set -euo pipefail
source "$(dirname "$0")/compose.sh"
nodes="${DETECTORS:-1}"
compose up --build -d --scale detector="$((nodes > 1 ? nodes - 1 : 0))"
echo "started $nodes detector node(s); dashboard http://localhost:8080; logs: $(dirname "$0")/logs.sh"
