using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using JourneyHub.Core.Sources.Custom;
using JourneyHub.Core.Sources.Kit;
using JourneyHub.Core.Sources.Meta;
using JourneyHub.Core.Sources.Trustpilot;

namespace JourneyHub.UnitTests.Sources.Kit;

/// <summary>
/// Each hand reader knows exactly the properties the serializer reads into each wire record: a property added to a record
/// and not to its reader would otherwise be skipped as unknown by the reader and read by the serializer.
/// </summary>
public sealed class WireReaderPropertyTests
{
    public static TheoryData<string, JsonTypeInfo, PropertyNames> Records => new()
    {
        { "TrustpilotWebhook", TrustpilotJsonContext.Default.TrustpilotWebhook, TrustpilotWebhookReader.WebhookNames },
        { "TrustpilotEvent", TrustpilotJsonContext.Default.TrustpilotEvent, TrustpilotWebhookReader.EventNames },
        { "TrustpilotReview", TrustpilotJsonContext.Default.TrustpilotReview, TrustpilotWebhookReader.ReviewNames },
        { "TrustpilotConsumer", TrustpilotJsonContext.Default.TrustpilotConsumer, TrustpilotWebhookReader.ConsumerNames },
        { "TrustpilotTag", TrustpilotJsonContext.Default.TrustpilotTag, TrustpilotWebhookReader.TagNames },
        { "MetaNotification", MetaJsonContext.Default.MetaNotification, MetaNotificationReader.NotificationNames },
        { "MetaEntry", MetaJsonContext.Default.MetaEntry, MetaNotificationReader.EntryNames },
        { "MetaChange", MetaJsonContext.Default.MetaChange, MetaNotificationReader.ChangeNames },
        { "MetaChangeValue", MetaJsonContext.Default.MetaChangeValue, MetaChangeValueReader.ValueNames },
        { "MetaUser", MetaJsonContext.Default.MetaUser, MetaChangeValueReader.UserNames },
        { "InstagramMedia", MetaJsonContext.Default.InstagramMedia, MetaChangeValueReader.MediaNames },
        { "CustomEvent", CustomJsonContext.Default.CustomEvent, CustomEventReader.EventNames },
        { "CustomEventData", CustomJsonContext.Default.CustomEventData, CustomEventReader.DataNames },
        { "CustomPerson", CustomJsonContext.Default.CustomPerson, CustomEventReader.PersonNames },
        { "CustomSurvey", CustomJsonContext.Default.CustomSurvey, CustomEventReader.SurveyNames },
        { "CustomRating", CustomJsonContext.Default.CustomRating, CustomEventReader.RatingNames },
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void The_hand_reader_reads_every_property_the_serializer_reads(string record, JsonTypeInfo serializer, PropertyNames reader)
    {
        Assert.NotNull(record);
        var read = serializer.Properties.Where(p => p.AttributeProvider?.IsDefined(typeof(JsonIgnoreAttribute), inherit: false) != true).Select(p => p.Name);

        Assert.Equal(read.Order(StringComparer.Ordinal), reader.Names.Order(StringComparer.Ordinal));
    }

    public static TheoryData<string, JsonSerializerOptions> Contexts => new()
    {
        { "Custom", CustomJsonContext.Default.Options },
        { "Meta", MetaJsonContext.Default.Options },
        { "Trustpilot", TrustpilotJsonContext.Default.Options },
    };

    /// <summary>
    /// What the hand readers take for granted about their serializer context: names matched as written (a reader compares
    /// them byte for byte) and unknown properties skipped (a reader skips them). A context changed either way would make
    /// the serializer read or refuse bodies the reader reads otherwise, so the change must come with the reader's.
    /// </summary>
    [Theory]
    [MemberData(nameof(Contexts))]
    public void The_serializer_context_reads_names_as_the_hand_reader_does(string context, JsonSerializerOptions options)
    {
        Assert.NotNull(context);
        Assert.False(options.PropertyNameCaseInsensitive);
        Assert.Equal(JsonUnmappedMemberHandling.Skip, options.UnmappedMemberHandling);
        var reader = WireReader.ReaderOptionsOf(options);
        Assert.Equal((options.MaxDepth, options.AllowTrailingCommas, options.ReadCommentHandling), (reader.MaxDepth, reader.AllowTrailingCommas, reader.CommentHandling));
    }
}
