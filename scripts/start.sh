#!/usr/bin/env bash
# Starts Kafka, creates the topics, starts PostgreSQL, the generator and DETECTORS detector nodes (default 1), replicas
# of the one "detector" service that find each other by its name. Their dashboards: http://localhost:8080 and on.
set -euo pipefail
source "$(dirname "$0")/compose.sh"
nodes="${DETECTORS:-1}"
# The dashboard's token: the one given, else one made here and kept next to the compose file for the next start.
token_file="$(dirname "$0")/../.dashboard-token"
if [ -z "${FRAUD_DASHBOARD_TOKEN:-}" ]; then
  [ -s "$token_file" ] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$token_file")
  FRAUD_DASHBOARD_TOKEN="$(cat "$token_file")"
fi
export FRAUD_DASHBOARD_TOKEN
compose up --build -d --scale detector="$nodes"
echo "started $nodes detector node(s); dashboards from http://localhost:8080 (token: $FRAUD_DASHBOARD_TOKEN); logs: $(dirname "$0")/logs.sh"
