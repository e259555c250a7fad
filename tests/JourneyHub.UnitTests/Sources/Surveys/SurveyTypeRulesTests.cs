using JourneyHub.Core;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Surveys;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.SurveyMonkey;
using JourneyHub.Core.Sources.Typeform;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JourneyHub.UnitTests.Sources.Surveys;

public sealed class SurveyTypeRulesTests
{
    private static SurveyTypeRules Bind(Dictionary<string, string?> settings) =>
        SurveyTypeRules.Bind(new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("Sources:Typeform:SurveyTypes"));

    [Fact]
    public void Settings_bind_questions_of_any_form_and_of_one_form_and_the_form_rule_wins()
    {
        var rules = Bind(new()
        {
            ["Sources:Typeform:SurveyTypes:Xq0pN2aB7cDe"] = "csat",
            ["Sources:Typeform:SurveyTypes:lT4Z3j:Xq0pN2aB7cDe"] = "NPS",
            ["Sources:Typeform:SurveyTypes:lT4Z3j:effort"] = "ces-agreement",
        });

        Assert.Equal(3, rules.RuleCount());
        Assert.Empty(rules.InvalidSettings());
        Assert.Equal(SurveyType.Nps, rules.Find("lT4Z3j", "Xq0pN2aB7cDe")!.Type);
        Assert.Equal(SurveyType.Csat, rules.Find("otherForm", "Xq0pN2aB7cDe")!.Type);
        Assert.True(rules.Find("lT4Z3j", "nope", "effort")!.AgreementScale);
        Assert.Null(rules.Find("otherForm", "effort"));
    }

    [Fact]
    public void An_unknown_value_is_reported_with_its_setting()
    {
        var rules = Bind(new() { ["Sources:Typeform:SurveyTypes:abc"] = "promoter" });

        Assert.Equal(0, rules.RuleCount());
        Assert.Contains("Sources:Typeform:SurveyTypes:abc = 'promoter'", Assert.Single(rules.InvalidSettings()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nps", 9, 9)]
    [InlineData("ces", 2, 2)]
    [InlineData("ces-agreement", 7, 1)]
    [InlineData("ces-agreement", 1, 7)]
    public void Agreement_scales_are_turned_around_onto_the_hubs_ces(string value, double answer, double hub) =>
        Assert.Equal(hub, SurveyQuestionRule.Parse(value)!.ToHubScore(answer));
}

public sealed class SurveyTypeSettingsValidationTests
{
    [Fact]
    public void A_wrong_survey_type_setting_fails_the_options_with_the_setting_named()
    {
        var builder = HubHostBuilder.Create(new Dictionary<string, string?>
        {
            ["Sources:SurveyMonkey:SurveyTypes:405837291:660218512"] = "satisfaction",
            ["Sources:Typeform:SurveyTypes:Ce5kT2wYh9Ua"] = "ces",
        });
        builder.AddJourneyHubCore();
        using var provider = builder.Services.BuildServiceProvider();

        var typeform = provider.GetRequiredService<IOptions<TypeformOptions>>().Value;
        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SurveyMonkeyOptions>>().Value);

        Assert.Equal(SurveyType.Ces, typeform.SurveyTypes.Find("anyForm", "Ce5kT2wYh9Ua")!.Type);
        Assert.Contains("Sources:SurveyMonkey:SurveyTypes:405837291:660218512 = 'satisfaction'", failure.Message, StringComparison.Ordinal);
    }
}
