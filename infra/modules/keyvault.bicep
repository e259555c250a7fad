// Key Vault (RBAC authorization, soft delete, purge protection) holding the source secrets.
// A secret is written only when a non-empty value is supplied, so that a re-provision with an empty
// azd variable never overwrites a value that was set out of band (az keyvault secret set).
@description('Vault name (3-24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

@description('Secret name -> value. Entries with an empty value are skipped.')
@secure()
param secrets object = {}

@description('Purge protection cannot be turned off again once enabled.')
param enablePurgeProtection bool = true

@description('Public network access; false leaves only the private endpoint (network isolation).')
param publicNetworkAccess bool = true

@description('Soft-delete retention (7-90 days).')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 7

resource vault 'Microsoft.KeyVault/vaults@2026-02-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // ARM rejects enablePurgeProtection: false; leave it unset (null) to keep it off.
    enablePurgeProtection: enablePurgeProtection ? true : null
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: publicNetworkAccess ? 'Enabled' : 'Disabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: publicNetworkAccess ? 'Allow' : 'Deny'
    }
  }
}

resource secretValues 'Microsoft.KeyVault/vaults/secrets@2026-02-01' = [
  for secret in items(secrets): if (!empty(secret.value)) {
    parent: vault
    name: secret.key
    properties: {
      value: secret.value
      contentType: 'text/plain'
    }
  }
]

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
