// Storage account used both as the Functions host storage (AzureWebJobsStorage, identity-based) and
// as the app's data store: raw payload archive (RawPayloads table for bodies up to 512 KiB, blob above),
// ingest queue, timeline tables.
// Shared keys are disabled: every client must authenticate with Entra ID.
@description('Storage account name (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

@description('Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Blob containers used by the app.')
param containerNames array = [
  'raw-payloads'
]

@description('Queues used by the app.')
param queueNames array = [
  'journey-ingest'
  'journey-ingest-poison'
  'journey-erasure'
  'journey-erasure-poison'
  'journey-backfill'
  'journey-backfill-poison'
]

@description('Days after their last write that raw payload blobs (raw-payloads container) are deleted by the lifecycle rule.')
@minValue(1)
param rawPayloadRetentionDays int = 400

@description('Public network access; false leaves only private endpoints (network isolation).')
param publicNetworkAccess bool = true

@description('Tables used by the app.')
param tableNames array = [
  'Identities'
  'Timeline'
  'DeadLetters'
  'DeadLetterPeople'
  'Checkpoints'
  'IdentityConflicts'
  'SegmentMap'
  'Erasures'
  'RawPayloads'
  'Objects'
]

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    dnsEndpointType: 'Standard'
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: publicNetworkAccess ? 'Enabled' : 'Disabled'
    supportsHttpsTrafficOnly: true
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: publicNetworkAccess ? 'Allow' : 'Deny'
    }
  }
}

resource blobServices 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: storage
  name: 'default'
  properties: {
    // Container soft delete only: blob soft delete would keep erased raw payloads
    // (DELETE /api/customers/{id}) around for the retention period.
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

// Retention: raw payloads are personal data kept only as long as replay needs them.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-06-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'raw-payload-retention'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                'raw-payloads/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: rawPayloadRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobServices
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = [
  for containerName in containerNames: {
    parent: blobServices
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueServices 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = [
  for queueName in queueNames: {
    parent: queueServices
    name: queueName
  }
]

resource tableServices 'Microsoft.Storage/storageAccounts/tableServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = [
  for tableName in tableNames: {
    parent: tableServices
    name: tableName
  }
]

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
output deploymentContainerName string = deploymentContainer.name
