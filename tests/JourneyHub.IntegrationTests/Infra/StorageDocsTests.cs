using System.Text.RegularExpressions;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.IntegrationTests.Infra;

/// <summary>The deploy docs list every container, queue and table the storage template creates.</summary>
public sealed partial class StorageDocsTests
{
    [Theory]
    [InlineData("docs/deploy.md")]
    [InlineData("infra/README.md")]
    public void The_docs_name_every_storage_resource_of_the_template(string document)
    {
        var root = Fixture.RepositoryRoot();
        var template = File.ReadAllText(Path.Combine(root, "infra", "modules", "storage.bicep"));
        var text = File.ReadAllText(Path.Combine(root, document));
        var names = ListedNames().Matches(template).SelectMany(m => QuotedName().Matches(m.Groups["list"].Value).Select(n => n.Groups["name"].Value)).ToList();

        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.True(text.Contains($"`{name}`", StringComparison.Ordinal) || text.Contains($"`{name.Replace("-poison", "", StringComparison.Ordinal)}`", StringComparison.Ordinal), $"{document} does not name `{name}`"));
    }

    [GeneratedRegex(@"param (containerNames|queueNames|tableNames) array = \[(?<list>[^\]]*)\]")]
    private static partial Regex ListedNames();

    [GeneratedRegex(@"'(?<name>[^']+)'")]
    private static partial Regex QuotedName();
}
