# azd postprovision hook: azd exports the Bicep outputs as environment variables.
Write-Host @"

JourneyHub webhook URLs (details: docs/deploy.md)
  HubSpot     $($env:WEBHOOK_URL_HUBSPOT)
  Salesforce  $($env:WEBHOOK_URL_SALESFORCE)?code=<its own key>
  Meta        $($env:WEBHOOK_URL_META)
  Trustpilot  $($env:WEBHOOK_URL_TRUSTPILOT)?code=<its own key>
  Custom      $($env:WEBHOOK_URL_CUSTOM_BASE)/<name>

Keys: one per door, created after 'azd deploy' by the postdeploy hook (docs/deploy.md, Keys).
  az functionapp function keys list -g $($env:AZURE_RESOURCE_GROUP) -n $($env:AZURE_FUNCTION_APP_NAME) --function-name SalesforceWebhook --query salesforce -o tsv
Secrets go to Key Vault $($env:AZURE_KEY_VAULT_NAME): 'azd env set HUBSPOT_CLIENT_SECRET ...' then 'azd provision'.
"@
