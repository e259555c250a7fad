#!/usr/bin/env bash
# Lints the OpenAPI document the hub serves at /api/openapi.json (embedded verbatim from the file below, see
# OpenApiDocument.cs) with Redocly's recommended rules, and fails on any error OR warning (the CLI itself
# fails on errors only). The CLI comes from package-lock.json (npm ci) and runs offline.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

document=src/JourneyHub.Functions/Http/openapi.json
cli=node_modules/@redocly/cli/bin/cli.js
if [[ ! -f "$cli" ]]; then
  echo "error: $cli not found; run 'npm ci' first" >&2
  exit 1
fi

report="$(node "$cli" lint --format=json "$document" 2>/dev/null || true)"
totals="$(node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(`${r.totals.errors} ${r.totals.warnings}`);' <<<"$report" || echo "unreadable")"
if [[ "$totals" == "0 0" ]]; then
  echo "openapi lint: $document, 0 errors, 0 warnings (Redocly recommended rules)"
  exit 0
fi

# Show the problems the way a reader wants them, then fail.
node "$cli" lint --format=stylish "$document" 2>/dev/null || true
read -r errors warnings <<<"$totals" || true
echo "FAIL: openapi lint of $document: ${errors:-?} error(s), ${warnings:-?} warning(s); both must be 0" >&2
exit 1
