# azd postdeploy hook (Windows): the same as postdeploy.sh, one named function key per door (docs/deploy.md, "Keys").
# The lists name exactly the function-level functions of each door; a test (KeyLevelTests) keeps them in step.
$ErrorActionPreference = 'Stop'
$doors = [ordered]@{
  'read-api'   = @('FindCustomer', 'GetFunnel', 'GetJourney', 'GetSegmentMap', 'GetSegmentMapCustomers', 'GetTimeline')
  'salesforce' = @('SalesforceWebhook')
  'trustpilot' = @('TrustpilotWebhook')
}
$rg = $env:AZURE_RESOURCE_GROUP
$app = $env:AZURE_FUNCTION_APP_NAME
if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
  Write-Host "Azure CLI (az) not found: create the function keys as docs/deploy.md (Keys) shows."
  exit 0
}

function Get-KeyValue([string]$function, [string]$name) {
  $value = az functionapp function keys list -g $rg -n $app --function-name $function --query "`"$name`"" -o tsv 2>$null
  if ($LASTEXITCODE -ne 0) { return '' }
  return "$value".Trim()
}

Write-Host "JourneyHub function keys (who gets which: docs/deploy.md, Keys)"
foreach ($door in $doors.GetEnumerator()) {
  $value = ''
  foreach ($function in $door.Value) {
    $value = Get-KeyValue $function $door.Key
    if ($value) { break }
  }
  if (-not $value) {
    $bytes = [byte[]]::new(32)
    [System.Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
    $value = [System.Convert]::ToHexString($bytes).ToLowerInvariant()
  }
  foreach ($function in $door.Value) {
    if ((Get-KeyValue $function $door.Key) -ne $value) {
      az functionapp function keys set -g $rg -n $app --function-name $function --key-name $door.Key --key-value $value -o none
    }
  }
  Write-Host "  key '$($door.Key)' on: $($door.Value -join ' ')"
}
Write-Host "Read a key:   az functionapp function keys list -g $rg -n $app --function-name SalesforceWebhook --query salesforce -o tsv"
Write-Host "Admin level:  az functionapp keys list -g $rg -n $app --query masterKey -o tsv   (erasure, dead letters, replay, backfill)"
Write-Host "Never hand out the host keys (functionKeys.default): they open every key-protected route."
