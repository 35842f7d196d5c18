#!/usr/bin/env bash
# Shared by the scripts: the compose command of this machine (Compose v2 plugin, or the older docker-compose).
if docker compose version > /dev/null 2>&1; then
  compose() { docker compose -f "$(dirname "${BASH_SOURCE[0]}")/../docker-compose.yml" "$@"; }
else
  compose() { docker-compose -f "$(dirname "${BASH_SOURCE[0]}")/../docker-compose.yml" "$@"; }
fi
