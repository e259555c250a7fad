// Service Bus namespace (Standard: topics need it) with local SAS auth disabled, the journey topic
// and a sample session-enabled subscription. Touchpoints are published with
// MessageId = touchpointId (duplicate detection) and SessionId = customerId (ordered per customer).
@description('Namespace name.')
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

@description('Topic the app publishes normalized touchpoints to.')
param topicName string = 'journey-events'

@description('Sample subscription that receives every touchpoint.')
param subscriptionName string = 'all-touchpoints'

@description('Private endpoint only (network isolation): Premium tier, which private endpoints require, and public network access off.')
param privateOnly bool = false

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: name
  location: location
  tags: tags
  sku: privateOnly
    ? {
        name: 'Premium'
        tier: 'Premium'
        capacity: 1
      }
    : {
        name: 'Standard'
        tier: 'Standard'
      }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: privateOnly ? 'Disabled' : 'Enabled'
  }
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2026-01-01' = {
  parent: namespace
  name: topicName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    supportOrdering: true
    enableBatchedOperations: true
    defaultMessageTimeToLive: 'P14D'
    maxSizeInMegabytes: 1024
  }
}

resource subscription 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2026-01-01' = {
  parent: topic
  name: subscriptionName
  properties: {
    requiresSession: true
    lockDuration: 'PT1M'
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P14D'
  }
}

output name string = namespace.name
output id string = namespace.id
output topicName string = topic.name
output subscriptionName string = subscription.name
// serviceBusEndpoint is 'https://<name>.servicebus.windows.net:443/' (cloud-specific suffix): keep only the host.
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '//')[1], ':')[0]
