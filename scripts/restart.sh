#!/usr/bin/env bash
# Stop, then start again from scratch.
set -euo pipefail
"$(dirname "$0")/stop.sh"
"$(dirname "$0")/start.sh"
