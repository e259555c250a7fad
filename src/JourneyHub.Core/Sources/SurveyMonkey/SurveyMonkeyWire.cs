using System.Text.Json;
using System.Text.Json.Serialization;

namespace JourneyHub.Core.Sources.SurveyMonkey;

/// <summary>A SurveyMonkey webhook callback (public_api_docs, "Webhook Callbacks"): ids only, no answers.</summary>
public sealed record SurveyMonkeyCallback
{
    public string? Name { get; init; }
    public string? FilterType { get; init; }
    public string? FilterId { get; init; }
    public string? EventType { get; init; }
    public string? EventId { get; init; }
    public string? ObjectType { get; init; }

    /// <summary>The response id for response events.</summary>
    public string? ObjectId { get; init; }

    public DateTimeOffset? EventDatetime { get; init; }
    public SurveyMonkeyResources? Resources { get; init; }
}

public sealed record SurveyMonkeyResources
{
    public string? RespondentId { get; init; }
    public string? RecipientId { get; init; }
    public string? CollectorId { get; init; }
    public string? SurveyId { get; init; }
    public string? UserId { get; init; }
}

/// <summary><c>GET /v3/surveys/{id}/details</c>: the survey's pages and questions.</summary>
public sealed record SurveyMonkeySurveyDetails
{
    public string? Id { get; init; }
    public string? Title { get; init; }
    public SurveyMonkeyPage[]? Pages { get; init; }
}

public sealed record SurveyMonkeyPage
{
    public string? Id { get; init; }
    public SurveyMonkeyQuestion[]? Questions { get; init; }
}

public sealed record SurveyMonkeyQuestion
{
    public string? Id { get; init; }
    public string? Family { get; init; }
    public string? Subtype { get; init; }
    public SurveyMonkeyHeading[]? Headings { get; init; }
    public SurveyMonkeyValidation? Validation { get; init; }
    public SurveyMonkeyQuestionAnswers? Answers { get; init; }
}

public sealed record SurveyMonkeyHeading
{
    public string? Heading { get; init; }
}

public sealed record SurveyMonkeyValidation
{
    public string? Type { get; init; }
}

public sealed record SurveyMonkeyQuestionAnswers
{
    public SurveyMonkeyChoice[]? Choices { get; init; }
}

public sealed record SurveyMonkeyChoice
{
    public string? Id { get; init; }
    public string? Text { get; init; }
    public double? Weight { get; init; }
}

/// <summary><c>GET /v3/surveys/{id}/responses/{id}/details</c>: the answers of one response, by question and choice id.</summary>
public sealed record SurveyMonkeyResponseDetails
{
    public string? Id { get; init; }
    public string? SurveyId { get; init; }
    public string? CollectorId { get; init; }
    public string? RecipientId { get; init; }
    public string? ResponseStatus { get; init; }
    public string? EmailAddress { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public DateTimeOffset? DateCreated { get; init; }
    public DateTimeOffset? DateModified { get; init; }
    public Dictionary<string, JsonElement>? CustomVariables { get; init; }
    public JsonElement Metadata { get; init; }
    public SurveyMonkeyResponsePage[]? Pages { get; init; }
}

public sealed record SurveyMonkeyResponsePage
{
    public string? Id { get; init; }
    public SurveyMonkeyResponseQuestion[]? Questions { get; init; }
}

public sealed record SurveyMonkeyResponseQuestion
{
    public string? Id { get; init; }
    public SurveyMonkeyAnswer[]? Answers { get; init; }
}

public sealed record SurveyMonkeyAnswer
{
    public string? ChoiceId { get; init; }
    public string? RowId { get; init; }
    public string? ColId { get; init; }
    public string? OtherId { get; init; }
    public string? Text { get; init; }
}

/// <summary>SurveyMonkey's snake_case JSON; also the Refit client's serializer context.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString, MaxDepth = 32)]
[JsonSerializable(typeof(SurveyMonkeyCallback))]
[JsonSerializable(typeof(SurveyMonkeySurveyDetails))]
[JsonSerializable(typeof(SurveyMonkeyResponseDetails))]
public sealed partial class SurveyMonkeyJsonContext : JsonSerializerContext;
