#!/usr/bin/env bash
# Starts Kafka, creates the topics, starts the generator and DETECTORS detector nodes (default 1).
set -euo pipefail
source "$(dirname "$0")/compose.sh"
compose up --build -d --scale detector="${DETECTORS:-1}"
echo "started; watch the detectors with: $(dirname "$0")/logs.sh"
