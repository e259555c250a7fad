#!/usr/bin/env bash
# Runs every test of the solution (unit, integration against Azurite, UI in headless Chromium) and prints
# "N passed, N failed" counted from the TRX results. Installs what the tests need first: the project's own
# Azurite (npm ci) and, for the UI tests, Debian's Chromium (eng/install-chromium.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/azurite/dist/src/azurite.js ]; then
  npm ci --no-audit --no-fund
fi
bash eng/install-chromium.sh

results="${TEST_RESULTS_DIR:-artifacts/test-results}"
rm -rf "$results"
mkdir -p "$results"

dotnet build JourneyHub.sln -c Release --nologo -v quiet
status=0
dotnet test JourneyHub.sln -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" \
  --results-directory "$results" || status=$?

node eng/count-trx.js "$results"
exit "$status"
