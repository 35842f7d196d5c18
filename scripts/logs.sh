#!/usr/bin/env bash
# Follows the detector nodes' logs (JSON lines naming each node).
set -euo pipefail
source "$(dirname "$0")/compose.sh"
compose logs -f detector
