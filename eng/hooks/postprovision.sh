#!/bin/sh
# azd postprovision hook: azd exports the Bicep outputs as environment variables.
cat <<MSG

JourneyHub webhook URLs (details: docs/deploy.md)
  HubSpot     ${WEBHOOK_URL_HUBSPOT}
  Salesforce  ${WEBHOOK_URL_SALESFORCE}?code=<its own key>
  Meta        ${WEBHOOK_URL_META}
  Trustpilot  ${WEBHOOK_URL_TRUSTPILOT}?code=<its own key>
  Custom      ${WEBHOOK_URL_CUSTOM_BASE}/<name>

Keys: one per door, created after 'azd deploy' by the postdeploy hook (docs/deploy.md, Keys).
  az functionapp function keys list -g ${AZURE_RESOURCE_GROUP} -n ${AZURE_FUNCTION_APP_NAME} --function-name SalesforceWebhook --query salesforce -o tsv
Secrets go to Key Vault ${AZURE_KEY_VAULT_NAME}: 'azd env set HUBSPOT_CLIENT_SECRET ...' then 'azd provision'.
MSG
