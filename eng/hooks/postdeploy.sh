#!/bin/sh
# azd postdeploy hook: one named function key per door (docs/deploy.md, "Keys"; src/JourneyHub.Functions/Http/FunctionKeys.cs).
# A named function key can only be created once its function exists, i.e. after 'azd deploy': the Bicep cannot.
# Idempotent: a door that has a key keeps its value, and every function of the door gets that same value.
# The lists name exactly the function-level functions of each door; a test (KeyLevelTests) keeps them in step.
set -eu
READ_API_FUNCTIONS="FindCustomer GetFunnel GetJourney GetSegmentMap GetSegmentMapCustomers GetTimeline"
SALESFORCE_FUNCTIONS="SalesforceWebhook"
TRUSTPILOT_FUNCTIONS="TrustpilotWebhook"

rg="${AZURE_RESOURCE_GROUP:?azd sets AZURE_RESOURCE_GROUP}"
app="${AZURE_FUNCTION_APP_NAME:?azd sets AZURE_FUNCTION_APP_NAME}"
if ! command -v az >/dev/null 2>&1; then
  echo "Azure CLI (az) not found: create the function keys as docs/deploy.md (Keys) shows."
  exit 0
fi

key_of() { # key_of <function> <key name>: the key's value, empty when there is none
  az functionapp function keys list -g "$rg" -n "$app" --function-name "$1" --query "\"$2\"" -o tsv 2>/dev/null || true
}

ensure_door() { # ensure_door <key name> <function...>
  name="$1"; shift
  value=""
  for function in "$@"; do
    value="$(key_of "$function" "$name")"
    [ -n "$value" ] && break
  done
  [ -n "$value" ] || value="$(openssl rand -hex 32)"
  for function in "$@"; do
    if [ "$(key_of "$function" "$name")" != "$value" ]; then
      az functionapp function keys set -g "$rg" -n "$app" --function-name "$function" --key-name "$name" --key-value "$value" -o none
    fi
  done
  echo "  key '$name' on: $*"
}

echo "JourneyHub function keys (who gets which: docs/deploy.md, Keys)"
# shellcheck disable=SC2086 # the lists are meant to split into words
ensure_door read-api $READ_API_FUNCTIONS
# shellcheck disable=SC2086
ensure_door salesforce $SALESFORCE_FUNCTIONS
# shellcheck disable=SC2086
ensure_door trustpilot $TRUSTPILOT_FUNCTIONS
cat <<MSG
Read a key:   az functionapp function keys list -g $rg -n $app --function-name SalesforceWebhook --query salesforce -o tsv
Admin level:  az functionapp keys list -g $rg -n $app --query masterKey -o tsv   (erasure, dead letters, replay, backfill)
Never hand out the host keys (functionKeys.default): they open every key-protected route.
MSG
