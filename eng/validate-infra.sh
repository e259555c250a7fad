#!/usr/bin/env bash
# Builds and lints the Bicep templates offline.
#   1. Restores the Bicep CLI (NuGet package Azure.Bicep.CommandLine.linux-x64) through eng/bicep/bicep.proj.
#   2. `bicep build infra/main.bicep` into a temp dir (main.json is never written into the repo).
#   3. `bicep lint` on every .bicep file under infra/.
# Exits 1 on any build/lint error or warning (the diagnostics text is checked, not only exit codes).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BICEP_VERSION="0.49.2"
PKG_ID="azure.bicep.commandline.linux-x64"
NUGET_PACKAGES_DIR="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
BICEP="$NUGET_PACKAGES_DIR/$PKG_ID/$BICEP_VERSION/tools/bicep"

if [[ ! -f "$BICEP" ]]; then
  echo "Restoring Bicep CLI $BICEP_VERSION from NuGet..."
  dotnet restore "$ROOT/eng/bicep/bicep.proj" --nologo -v quiet
fi
if [[ ! -f "$BICEP" ]]; then
  echo "error: Bicep CLI not found at $BICEP after restore" >&2
  exit 1
fi
chmod +x "$BICEP"
echo "Using $("$BICEP" --version)"

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
LOG="$OUT/diagnostics.log"
: > "$LOG"
failed=0

run() {
  # run <label> <bicep args...>: capture output, echo it, remember failures.
  local label="$1"; shift
  local output rc=0
  output="$("$BICEP" "$@" 2>&1)" || rc=$?
  if [[ -n "$output" ]]; then
    printf '%s\n' "$output" | tee -a "$LOG"
  fi
  if [[ $rc -ne 0 ]]; then
    echo "FAIL ($rc): $label" >&2
    failed=1
  elif grep -qE ' : (Error|Warning|Info) ' <<<"$output"; then
    echo "DIAGNOSTICS: $label" >&2
  else
    echo "ok: $label"
  fi
}

cd "$ROOT"
run "build infra/main.bicep" build infra/main.bicep --outdir "$OUT"
[[ -s "$OUT/main.json" ]] || { echo "error: build produced no main.json" >&2; failed=1; }

while IFS= read -r -d '' file; do
  run "lint ${file#./}" lint "$file"
done < <(find ./infra -name '*.bicep' -print0 | sort -z)

# Any diagnostic line (Error / Warning / Info, including BCPxxx compiler warnings) fails the run.
count="$(grep -cE ' : (Error|Warning|Info) ' "$LOG" || true)"
if [[ "$count" -ne 0 ]]; then
  echo "FAIL: $count diagnostic(s) reported by bicep build/lint" >&2
  failed=1
fi

# Every app setting of the contract (CONTRACT.md section 3) and the identity/host settings must be
# spelled out literally in the Bicep files.
required_settings=(
  AzureWebJobsStorage__accountName AzureWebJobsStorage__credential AzureWebJobsStorage__clientId
  AzureWebJobsStorage__blobServiceUri AzureWebJobsStorage__queueServiceUri AzureWebJobsStorage__tableServiceUri
  ServiceBus__FullyQualifiedNamespace ServiceBus__Topic ServiceBus__ClientId AZURE_CLIENT_ID
  APPLICATIONINSIGHTS_CONNECTION_STRING APPLICATIONINSIGHTS_AUTHENTICATION_STRING
  Sources__HubSpot__ClientSecret Sources__HubSpot__AccessToken Sources__HubSpot__BaseUrl
  Sources__Salesforce__OrganizationId Sources__Salesforce__InstanceUrl Sources__Salesforce__AccessToken
  Sources__Meta__AppSecret Sources__Meta__VerifyToken Sources__Meta__AccessToken Sources__Meta__BaseUrl
  Sources__Trustpilot__ApiKey Sources__Trustpilot__BusinessUnitId Sources__Trustpilot__BaseUrl
  Sources__Google__AccessToken Sources__Google__Locations Sources__Google__BaseUrl
  'Sources__Custom__${'
)
for key in "${required_settings[@]}"; do
  if ! grep -rqF --include='*.bicep' "$key" "$ROOT/infra"; then
    echo "FAIL: app setting $key not found in infra/**/*.bicep" >&2
    failed=1
  fi
done

if [[ -e "$ROOT/infra/main.json" ]]; then
  echo "FAIL: infra/main.json must not be generated in the repo" >&2
  failed=1
fi

if [[ $failed -ne 0 ]]; then
  exit 1
fi
echo "validate-infra: build + lint clean (0 errors, 0 warnings)"
