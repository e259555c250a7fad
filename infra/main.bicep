// JourneyHub: `azd up` entry point. Subscription scope: creates rg-<env> and everything in it.
// Plain local modules only (no registry references), so `bicep build` runs offline.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; used for the resource group name and the resource token.')
param environmentName string

@minLength(1)
@description('Region for every resource. Only regions that offer the Flex Consumption plan (the list of the azd Functions quickstart; `az functionapp list-flexconsumption-locations` shows the current one).')
@allowed([
  'australiaeast'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'northcentralus'
  'northeurope'
  'southcentralus'
  'southeastasia'
  'swedencentral'
  'uksouth'
  'westcentralus'
  'westeurope'
  'westus2'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the deploying user or CI principal (AZURE_PRINCIPAL_ID). Empty to skip its data-plane roles.')
param principalId string = ''

@description('Principal type of principalId.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('Custom Standard Webhooks source names; each gets Sources__Custom__<name>__Secret (lower-case letters, digits, hyphens).')
param customSourceNames array = [
  'website'
]

@description('Standard Webhooks secrets (whsec_...) per custom source name, e.g. { "website": "whsec_..." }.')
@secure()
param customSourceSecrets object = {}

@description('Days after which raw payloads are deleted: blobs after their last write (storage lifecycle rule), RawPayloads table rows after receipt and dead letters after failure (daily retention sweep, app setting Retention__RawPayloadDays).')
@minValue(1)
param rawPayloadRetentionDays int = 400

@description('Network isolation: Storage, Key Vault and Service Bus reachable only through private endpoints in a virtual network the function app is integrated into; their public network access off. Service Bus becomes Premium (private endpoints need it). Off by default.')
param networkIsolation bool = false

@description('Function app scale-out limit.')
param maximumInstanceCount int = 100

@description('Key Vault purge protection (cannot be disabled once on; blocks `azd down --purge` of the vault).')
param keyVaultPurgeProtection bool = true

// ---- source secrets: stored in Key Vault only when a value is given (see docs/deploy.md) ----

@secure()
@description('HubSpot app client secret (X-HubSpot-Signature-v3).')
param hubSpotClientSecret string = ''

@secure()
@description('HubSpot private app access token (enrichment).')
param hubSpotAccessToken string = ''

@secure()
@description('Salesforce 18-character organization id expected in Outbound Messages.')
param salesforceOrganizationId string = ''

@secure()
@description('Salesforce instance URL, e.g. https://mycompany.my.salesforce.com.')
param salesforceInstanceUrl string = ''

@secure()
@description('Salesforce access token (enrichment).')
param salesforceAccessToken string = ''

@secure()
@description('Meta app secret (X-Hub-Signature-256).')
param metaAppSecret string = ''

@secure()
@description('Meta webhook verify token (hub.verify_token).')
param metaVerifyToken string = ''

@secure()
@description('Meta page / Instagram access token (enrichment).')
param metaAccessToken string = ''

@secure()
@description('Trustpilot API key.')
param trustpilotApiKey string = ''

@secure()
@description('Trustpilot business unit id.')
param trustpilotBusinessUnitId string = ''

@secure()
@description('Google Business Profile access token.')
param googleAccessToken string = ''

@secure()
@description('Google Business Profile locations (comma-separated accounts/{a}/locations/{l}).')
param googleLocations string = ''

@secure()
@description('HMAC key of the suppression list (Privacy__SuppressionKey), at least 32 characters, e.g. `openssl rand -base64 48`. Set it once (azd env set PRIVACY_SUPPRESSION_KEY ...) before the first provision and never change it: suppression entries made under one key are not found under another. Empty keeps the secret already in Key Vault; the app refuses to start while there is none.')
param privacySuppressionKey string = ''

@secure()
@description('Typeform webhook secret (Typeform-Signature).')
param typeformSecret string = ''

@secure()
@description('SurveyMonkey app client id (Sm-Apikey; half of the Sm-Signature key).')
param surveyMonkeyClientId string = ''

@secure()
@description('SurveyMonkey app client secret (the other half of the Sm-Signature key).')
param surveyMonkeyClientSecret string = ''

@secure()
@description('SurveyMonkey access token (reads the answers of completed responses).')
param surveyMonkeyAccessToken string = ''

@secure()
@description('Delighted project API key (X-Delighted-Webhook-Signature).')
param delightedApiKey string = ''

@description('Typeform hidden field that carries the respondent\'s own person id (the typeform identity).')
param typeformRespondentIdField string = 'user_id'

@description('Typeform hidden field that carries the respondent\'s e-mail when the form asks for none.')
param typeformEmailField string = 'email'

@description('Points on the Delighted CES scale (7 or 5).')
@allowed([5, 7])
param delightedCesScale int = 7

@secure()
@description('Shopify app client secret, or the shop admin webhook secret (X-Shopify-Hmac-Sha256).')
param shopifyWebhookSecret string = ''

@secure()
@description('Zendesk webhook signing secret (X-Zendesk-Webhook-Signature).')
param zendeskSigningSecret string = ''

@secure()
@description('Intercom app client secret (X-Hub-Signature).')
param intercomClientSecret string = ''

@description('HubSpot Target URL exactly as entered in HubSpot, when the app sits behind Front Door, API Management or a custom domain (empty: the function app URL). HubSpot signatures are checked against it.')
param hubSpotWebhookUrl string = ''

@description('Meta page whose post comments the pull connector reads (not a secret).')
param metaPageId string = ''

@description('CRON schedule (six fields, seconds first, UTC) of the retention sweep of RawPayloads table rows and dead letters.')
param retentionSchedule string = '0 30 3 * * *'

@description('CRON schedules (six fields, seconds first) of the pull connectors; the timer triggers need them to exist.')
param pullSchedules object = {
  HubSpot: '0 */15 * * * *'
  Salesforce: '0 */15 * * * *'
  Google: '0 0 * * * *'
  Trustpilot: '0 */30 * * * *'
  Meta: '0 */15 * * * *'
}

@description('Identity type for Trustpilot referenceId values that are not e-mail addresses, e.g. custom:shop (empty: keep them as an attribute).')
param trustpilotReferenceIdIdentityType string = ''

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
// Names are computed here (not read from module outputs) so What-If can predict every resource id.
var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
var identityName = '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
var storageAccountName = '${abbrs.storageStorageAccounts}${resourceToken}'
var serviceBusNamespaceName = '${abbrs.serviceBusNamespaces}${resourceToken}'
var keyVaultName = '${abbrs.keyVaultVaults}${resourceToken}'
var applicationInsightsName = '${abbrs.insightsComponents}${resourceToken}'
var deploymentContainerName = 'app-package-${resourceToken}'
var serviceBusTopicName = 'journey-events'

// One row per Key Vault-backed app setting. `provided` decides whether the secret and the setting exist:
// an unresolvable @Microsoft.KeyVault(...) reference would reach the app as a non-empty literal string.
var sourceSecretSettings = [
  { setting: 'Sources__HubSpot__ClientSecret', secretName: 'hubspot-client-secret', provided: !empty(hubSpotClientSecret) }
  { setting: 'Sources__HubSpot__AccessToken', secretName: 'hubspot-access-token', provided: !empty(hubSpotAccessToken) }
  { setting: 'Sources__Salesforce__OrganizationId', secretName: 'salesforce-organization-id', provided: !empty(salesforceOrganizationId) }
  { setting: 'Sources__Salesforce__InstanceUrl', secretName: 'salesforce-instance-url', provided: !empty(salesforceInstanceUrl) }
  { setting: 'Sources__Salesforce__AccessToken', secretName: 'salesforce-access-token', provided: !empty(salesforceAccessToken) }
  { setting: 'Sources__Meta__AppSecret', secretName: 'meta-app-secret', provided: !empty(metaAppSecret) }
  { setting: 'Sources__Meta__VerifyToken', secretName: 'meta-verify-token', provided: !empty(metaVerifyToken) }
  { setting: 'Sources__Meta__AccessToken', secretName: 'meta-access-token', provided: !empty(metaAccessToken) }
  { setting: 'Sources__Trustpilot__ApiKey', secretName: 'trustpilot-api-key', provided: !empty(trustpilotApiKey) }
  { setting: 'Sources__Trustpilot__BusinessUnitId', secretName: 'trustpilot-business-unit-id', provided: !empty(trustpilotBusinessUnitId) }
  { setting: 'Sources__Google__AccessToken', secretName: 'google-access-token', provided: !empty(googleAccessToken) }
  { setting: 'Sources__Google__Locations', secretName: 'google-locations', provided: !empty(googleLocations) }
  { setting: 'Sources__Typeform__Secret', secretName: 'typeform-secret', provided: !empty(typeformSecret) }
  { setting: 'Sources__SurveyMonkey__ClientId', secretName: 'surveymonkey-client-id', provided: !empty(surveyMonkeyClientId) }
  { setting: 'Sources__SurveyMonkey__ClientSecret', secretName: 'surveymonkey-client-secret', provided: !empty(surveyMonkeyClientSecret) }
  { setting: 'Sources__SurveyMonkey__AccessToken', secretName: 'surveymonkey-access-token', provided: !empty(surveyMonkeyAccessToken) }
  { setting: 'Sources__Delighted__ApiKey', secretName: 'delighted-api-key', provided: !empty(delightedApiKey) }
  { setting: 'Sources__Shopify__WebhookSecret', secretName: 'shopify-webhook-secret', provided: !empty(shopifyWebhookSecret) }
  { setting: 'Sources__Zendesk__SigningSecret', secretName: 'zendesk-signing-secret', provided: !empty(zendeskSigningSecret) }
  { setting: 'Sources__Intercom__ClientSecret', secretName: 'intercom-client-secret', provided: !empty(intercomClientSecret) }
]

var customSecretSettings = [
  for name in customSourceNames: {
    setting: 'Sources__Custom__${name}__Secret'
    secretName: 'custom-${toLower(name)}-secret'
    provided: !empty(customSourceSecrets[?name] ?? '')
  }
]

// Always referenced: the app cannot run without it (it fails at start while the secret is missing, rather than
// suppressing under a key that nobody can look up later).
var privacySecretSettings = [
  { setting: 'Privacy__SuppressionKey', secretName: 'privacy-suppression-key', provided: true }
]

var keyVaultSettings = filter(concat(sourceSecretSettings, customSecretSettings, privacySecretSettings), s => s.provided)

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: storageAccountName
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    rawPayloadRetentionDays: rawPayloadRetentionDays
    publicNetworkAccess: !networkIsolation
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: serviceBusNamespaceName
    location: location
    tags: tags
    topicName: serviceBusTopicName
    privateOnly: networkIsolation
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: keyVaultName
    location: location
    tags: tags
    enablePurgeProtection: keyVaultPurgeProtection
    publicNetworkAccess: !networkIsolation
    secrets: union(
      {
        'hubspot-client-secret': hubSpotClientSecret
        'hubspot-access-token': hubSpotAccessToken
        'salesforce-organization-id': salesforceOrganizationId
        'salesforce-instance-url': salesforceInstanceUrl
        'salesforce-access-token': salesforceAccessToken
        'meta-app-secret': metaAppSecret
        'meta-verify-token': metaVerifyToken
        'meta-access-token': metaAccessToken
        'trustpilot-api-key': trustpilotApiKey
        'trustpilot-business-unit-id': trustpilotBusinessUnitId
        'google-access-token': googleAccessToken
        'google-locations': googleLocations
        'privacy-suppression-key': privacySuppressionKey
        'typeform-secret': typeformSecret
        'surveymonkey-client-id': surveyMonkeyClientId
        'surveymonkey-client-secret': surveyMonkeyClientSecret
        'surveymonkey-access-token': surveyMonkeyAccessToken
        'delighted-api-key': delightedApiKey
        'shopify-webhook-secret': shopifyWebhookSecret
        'zendesk-signing-secret': zendeskSigningSecret
        'intercom-client-secret': intercomClientSecret
      },
      toObject(customSourceNames, name => 'custom-${toLower(name)}-secret', name => customSourceSecrets[?name] ?? '')
    )
  }
}

module network 'modules/network.bicep' = if (networkIsolation) {
  name: 'network'
  scope: rg
  params: {
    name: '${abbrs.networkVirtualNetworks}${resourceToken}'
    location: location
    tags: tags
    privateEndpointPrefix: '${abbrs.networkPrivateEndpoints}${resourceToken}-'
    storageAccountName: storageAccountName
    keyVaultName: keyVaultName
    serviceBusNamespaceName: serviceBusNamespaceName
  }
  dependsOn: [
    storage
    keyVault
    serviceBus
  ]
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    identityName: identityName
    userPrincipalId: principalId
    userPrincipalType: principalType
    storageAccountName: storageAccountName
    serviceBusNamespaceName: serviceBusNamespaceName
    serviceBusTopicName: serviceBusTopicName
    keyVaultName: keyVaultName
    applicationInsightsName: applicationInsightsName
  }
  dependsOn: [
    identity
    storage
    serviceBus
    keyVault
    monitoring
  ]
}

// Contract settings (CONTRACT.md section 3). Host/identity settings (AzureWebJobsStorage__*, AZURE_CLIENT_ID,
// APPLICATIONINSIGHTS_*) are added in modules/function.bicep.
var serviceBusSettings = {
  ServiceBus__FullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
  ServiceBus__Topic: serviceBus.outputs.topicName
  ServiceBus__ClientId: identity.outputs.clientId
}

var sourceSettings = {
  Sources__HubSpot__BaseUrl: 'https://api.hubapi.com'
  // Off switch of the HubSpot pull only: the token in Sources__HubSpot__AccessToken keeps serving enrichment.
  Sources__HubSpot__PullEnabled: 'true'
  Sources__Meta__BaseUrl: 'https://graph.facebook.com'
  Sources__Trustpilot__BaseUrl: 'https://api.trustpilot.com'
  Sources__Google__BaseUrl: 'https://mybusiness.googleapis.com'
  Sources__Trustpilot__ReferenceIdIdentityType: trustpilotReferenceIdIdentityType
  Sources__Meta__PageId: metaPageId
  Sources__Typeform__RespondentIdField: typeformRespondentIdField
  Sources__Typeform__EmailField: typeformEmailField
  Sources__SurveyMonkey__BaseUrl: 'https://api.surveymonkey.com'
  Sources__Delighted__CesScale: string(delightedCesScale)
}

// Flat names (no ':' or '__'): the timer triggers read %HubSpotPullSchedule% etc. In Azure the platform schedules
// timers from the trigger metadata, where nested names are reported to stay unresolved (the timer never fires).
var timerScheduleSettings = {
  HubSpotPullSchedule: pullSchedules.HubSpot
  SalesforcePullSchedule: pullSchedules.Salesforce
  GooglePullSchedule: pullSchedules.Google
  TrustpilotPullSchedule: pullSchedules.Trustpilot
  MetaPullSchedule: pullSchedules.Meta
  RetentionSchedule: retentionSchedule
}

// The table rows and dead letters age out with the same parameter as the blob lifecycle rule.
var retentionSettings = {
  Retention__RawPayloadDays: string(rawPayloadRetentionDays)
}

// Versionless SecretUri: a new secret version is picked up without redeploying the settings.
// Built from the deterministic vault name + the cloud's Key Vault DNS suffix (no runtime reference()
// inside the lambda, What-If can predict it); the vault and its secrets exist before the site (rbac dependsOn).
var keyVaultSecretsBaseUri = 'https://${keyVaultName}${environment().suffixes.keyvaultDns}/secrets/'
var keyVaultReferenceSettings = toObject(
  keyVaultSettings,
  s => s.setting,
  s => '@Microsoft.KeyVault(SecretUri=${keyVaultSecretsBaseUri}${s.secretName}/)'
)

// Sources__HubSpot__WebhookUrl: the URL HubSpot signs. The app's own host name is known only once the site exists,
// so by default the module builds it (siteUrlSettings); a proxy or custom domain URL is passed as it is.
var hubSpotWebhookPath = '/api/webhooks/hubspot'
var hubSpotWebhookUrlSettings = empty(hubSpotWebhookUrl) ? {} : { Sources__HubSpot__WebhookUrl: hubSpotWebhookUrl }

module functionApp 'modules/function.bicep' = {
  name: 'function'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    serviceName: 'api'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: applicationInsightsName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: 2048
    appSettings: union(serviceBusSettings, sourceSettings, timerScheduleSettings, retentionSettings, hubSpotWebhookUrlSettings, keyVaultReferenceSettings)
    siteUrlSettings: empty(hubSpotWebhookUrl) ? { Sources__HubSpot__WebhookUrl: hubSpotWebhookPath } : {}
    virtualNetworkSubnetId: networkIsolation ? network!.outputs.appSubnetId : ''
  }
  // Roles first: the host needs storage access at start-up and Key Vault references resolve on start.
  dependsOn: [
    storage
    monitoring
    rbac
  ]
}

var functionUrl = functionApp.outputs.uri

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_URL string = functionUrl
output SERVICE_API_NAME string = functionApp.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri
output SERVICE_BUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output SERVICE_BUS_TOPIC string = serviceBus.outputs.topicName
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_CLIENT_ID string = identity.outputs.clientId

@description('HubSpot webhook target URL (signature-verified; no function key needed).')
output WEBHOOK_URL_HUBSPOT string = empty(hubSpotWebhookUrl) ? '${functionUrl}${hubSpotWebhookPath}' : hubSpotWebhookUrl

@description('Salesforce Outbound Message endpoint. Key-protected: append ?code=<function key> before pasting it into Salesforce.')
output WEBHOOK_URL_SALESFORCE string = '${functionUrl}/api/webhooks/salesforce'

@description('Meta callback URL (GET verification + POST events, signature-verified; no function key needed).')
output WEBHOOK_URL_META string = '${functionUrl}/api/webhooks/meta'

@description('Trustpilot webhook URL. Key-protected: append ?code=<function key> before pasting it into Trustpilot.')
output WEBHOOK_URL_TRUSTPILOT string = '${functionUrl}/api/webhooks/trustpilot'

@description('Custom Standard Webhooks sources: append /<name> (one of customSourceNames).')
output WEBHOOK_URL_CUSTOM_BASE string = '${functionUrl}/api/webhooks/custom'

@description('Shopify webhook URL for every subscribed topic (signature-verified; no function key needed).')
output WEBHOOK_URL_SHOPIFY string = '${functionUrl}/api/webhooks/shopify'

@description('Zendesk webhook endpoint, for the events webhook and the satisfaction trigger webhook (signature-verified; no function key needed).')
output WEBHOOK_URL_ZENDESK string = '${functionUrl}/api/webhooks/zendesk'

@description('Intercom webhook endpoint (signature-verified; no function key needed).')
output WEBHOOK_URL_INTERCOM string = '${functionUrl}/api/webhooks/intercom'

@description('Typeform webhook URL (signature-verified; no function key needed).')
output WEBHOOK_URL_TYPEFORM string = '${functionUrl}/api/webhooks/typeform'

@description('SurveyMonkey subscription_url (answers the HEAD check; callbacks are signature-verified).')
output WEBHOOK_URL_SURVEYMONKEY string = '${functionUrl}/api/webhooks/surveymonkey'

@description('Delighted webhook URL (signature-verified; no function key needed).')
output WEBHOOK_URL_DELIGHTED string = '${functionUrl}/api/webhooks/delighted'
