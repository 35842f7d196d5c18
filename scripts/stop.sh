#!/usr/bin/env bash
# Stops everything and deletes the containers, networks and volumes.
set -euo pipefail
source "$(dirname "$0")/compose.sh"
compose down -v --remove-orphans
