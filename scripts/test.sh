#!/usr/bin/env bash
# The test command (README, .ci/run): installs what the tests need and is missing (Debian's chromium for the browser
# test, PostgreSQL for the cluster's checkpoint store, docker-compose and kubectl to validate the compose file and the
# Kubernetes manifests; apt, with sudo when not root), validates them, runs every test project one after another (they start brokers and processes;
# the machine has two cores) and prints the totals as the plain line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v docker-compose > /dev/null 2>&1 || missing+=(docker-compose)
command -v kubectl > /dev/null 2>&1 || missing+=(kubectl)
ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (Debian packages the tests need)"
  as_root apt-get update -qq > /dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi

failed_checks=0
# The file requires the dashboard's token from the environment; any value of the right form validates it.
if FRAUD_DASHBOARD_TOKEN="${FRAUD_DASHBOARD_TOKEN:-validation-only-token-000000}" docker-compose -f docker-compose.yml config -q; then
  echo "docker-compose.yml: valid"
else
  echo "docker-compose.yml: INVALID"
  failed_checks=$((failed_checks + 1))
fi

# The Kubernetes manifests, rendered offline (no cluster here); KubernetesManifestSpecs checks their fields.
if kubectl kustomize deploy/kubernetes > /dev/null; then
  echo "deploy/kubernetes: renders"
else
  echo "deploy/kubernetes: INVALID"
  failed_checks=$((failed_checks + 1))
fi

results=artifacts/test-results
rm -rf "$results" artifacts/cluster
dotnet test Fraud.sln -m:1 --logger "trx" --results-directory "$results"
test_exit=$?

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<< "$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<< "$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

# The cluster specs' figures (produced, lost, duplicates, mismatched verdicts, time to recover), for the log; each
# node's log is next to them in artifacts/cluster/.
for figures in artifacts/cluster/*.txt; do
  [ -f "$figures" ] && cat "$figures"
done

failed=$((failed + failed_checks))
if [ "$test_exit" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build or a test host broke before any result was written: that is a failure too.
  failed=1
fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
