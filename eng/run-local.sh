#!/usr/bin/env bash
# Starts the hub on http://127.0.0.1:7071 on Azurite (installed from package.json and started by the host).
# Extra arguments go to the host, e.g. --demo or --urls http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/azurite/dist/src/azurite.js ]; then
  npm ci --no-audit --no-fund
fi
exec dotnet run --project src/JourneyHub.LocalHost -- "$@"
