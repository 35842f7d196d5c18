#!/usr/bin/env bash
# Follows the detectors' status lines.
set -euo pipefail
source "$(dirname "$0")/compose.sh"
compose logs -f detector
