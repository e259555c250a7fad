// Network isolation (parameter networkIsolation): a virtual network with a subnet the Flex Consumption app is
// integrated into (delegated to Microsoft.App/environments) and a subnet for private endpoints; Storage (blob,
// queue, table), Key Vault and Service Bus get private endpoints with their private DNS zones linked to the network.
@description('Virtual network name.')
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

@description('Prefix of the private endpoint names.')
param privateEndpointPrefix string

param storageAccountName string
param keyVaultName string
param serviceBusNamespaceName string

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource keyVault 'Microsoft.KeyVault/vaults@2026-02-01' existing = {
  name: keyVaultName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2026-01-01' existing = {
  name: serviceBusNamespaceName
}

resource vnet 'Microsoft.Network/virtualNetworks@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        '10.0.0.0/16'
      ]
    }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: '10.0.1.0/24'
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: '10.0.2.0/24'
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

// One row per private endpoint: the target resource, its sub-resource and the DNS zone that resolves it.
var endpoints = [
  { key: 'blob', target: 'storage', groupId: 'blob', zone: 'privatelink.blob.${environment().suffixes.storage}' }
  { key: 'queue', target: 'storage', groupId: 'queue', zone: 'privatelink.queue.${environment().suffixes.storage}' }
  { key: 'table', target: 'storage', groupId: 'table', zone: 'privatelink.table.${environment().suffixes.storage}' }
  { key: 'vault', target: 'vault', groupId: 'vault', zone: 'privatelink.vaultcore.azure.net' }
  { key: 'servicebus', target: 'servicebus', groupId: 'namespace', zone: 'privatelink.servicebus.windows.net' }
]

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for endpoint in endpoints: {
    name: endpoint.zone
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (endpoint, i) in endpoints: {
    parent: zones[i]
    name: '${name}-link'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnet.id
      }
    }
  }
]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2025-07-01' = [
  for endpoint in endpoints: {
    name: '${privateEndpointPrefix}${endpoint.key}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: vnet.properties.subnets[1].id
      }
      privateLinkServiceConnections: [
        {
          name: endpoint.key
          properties: {
            privateLinkServiceId: endpoint.target == 'storage' ? storage.id : endpoint.target == 'vault' ? keyVault.id : serviceBus.id
            groupIds: [
              endpoint.groupId
            ]
          }
        }
      ]
    }
  }
]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2025-07-01' = [
  for (endpoint, i) in endpoints: {
    parent: privateEndpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: endpoint.key
          properties: {
            privateDnsZoneId: zones[i].id
          }
        }
      ]
    }
  }
]

@description('Subnet the function app is integrated into.')
output appSubnetId string = vnet.properties.subnets[0].id
