using System.Text.Json.Nodes;
using HealthCode.Api.Features.Declarations;

namespace HealthCode.Api.Tests.Features.Declarations;

internal sealed class RiskPolicyTests
{
    /// <summary>The default policy as the build copies it next to the service.</summary>
    public static string DefaultPolicyPath => Path.Combine(AppContext.BaseDirectory, "Policy", "risk-policy.v1.json");

    private static JsonObject DefaultJson() => JsonNode.Parse(File.ReadAllText(DefaultPolicyPath))!.AsObject();

    [Test]
    public void Load_ReadsTheDefaultPolicy()
    {
        var policy = RiskPolicy.Load(DefaultPolicyPath);

        Assert.Multiple(() =>
        {
            Assert.That(policy.Version, Is.Not.Empty);
            Assert.That(policy.FeverThreshold, Is.EqualTo(37.3m));
            Assert.That(policy.RiskWindowDays, Is.EqualTo(14));
            Assert.That(policy.YellowToGreenCleanDays, Is.EqualTo(7));
            Assert.That(policy.RedToGreenDays, Is.EqualTo(14));
            Assert.That(policy.RequiredTest.MaxAgeDays, Is.EqualTo(3));
            Assert.That(policy.RiskAreas.Select(a => a.Level), Does.Contain(RiskLevel.High).And.Contain(RiskLevel.Medium));
            Assert.That(RiskReasons.All.Where(c => !policy.Reasons.ContainsKey(c)), Is.Empty);
        });
    }

    [Test]
    public void Load_NormalisesAreaCodesToPrefixes()
    {
        var areas = RiskPolicy.Load(DefaultPolicyPath).RiskAreas;

        Assert.Multiple(() =>
        {
            Assert.That(areas.Single(a => a.Region == "420100").Prefix, Is.EqualTo("4201"));
            Assert.That(areas.Single(a => a.Region == "659001").Prefix, Is.EqualTo("659001"));
        });
    }

    [Test]
    public void Load_FailsClearly_WhenTheFileIsMissing()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "policy.json");

        var error = Assert.Throws<InvalidDataException>(() => RiskPolicy.Load(path));

        Assert.That(error.Message, Does.Contain(path).And.Contain("cannot be read"));
    }

    [Test]
    public void Load_FailsClearly_WhenTheFileIsNotJson()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "version: 1\nfeverThreshold: 37.3\n");

            var error = Assert.Throws<InvalidDataException>(() => RiskPolicy.Load(path));

            Assert.That(error.Message, Does.Contain(path).And.Contain("not valid JSON"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static IEnumerable<TestCaseData> BrokenPolicies()
    {
        static TestCaseData Case(string name, Action<JsonObject> breakIt, string mentions) =>
            new TestCaseData(breakIt, mentions).SetName("Parse_Rejects_" + name);

        yield return Case("MissingVersion", j => j.Remove("version"), "version");
        yield return Case("EmptyVersion", j => j["version"] = " ", "version");
        yield return Case("MissingFeverThreshold", j => j.Remove("feverThreshold"), "feverThreshold");
        yield return Case("FahrenheitThreshold", j => j["feverThreshold"] = 99.5, "feverThreshold");
        yield return Case("ZeroCleanDays", j => j["yellowToGreenCleanDays"] = 0, "yellowToGreenCleanDays");
        yield return Case("FractionalRedDays", j => j["redToGreenDays"] = 14.5, "redToGreenDays");
        yield return Case("MissingRequiredTest", j => j.Remove("requiredTest"), "requiredTest");
        yield return Case("UnknownRequiredTestLevel", j => j["requiredTest"]!["afterLevels"] = new JsonArray("low"), "requiredTest.afterLevels");
        yield return Case("UnknownAreaLevel", j => j["riskAreas"]![0]!["level"] = "low", "riskAreas[0].level");
        yield return Case("AreaRegionOfFiveDigits", j => j["riskAreas"]![1]!["region"] = "11010", "riskAreas[1].region");
        yield return Case("AreaEndingBeforeStart", j => j["riskAreas"]![0]!["to"] = "2020-01-01", "riskAreas[0].to");
        yield return Case("AreaWithBadDate", j => j["riskAreas"]![0]!["from"] = "23/01/2020", "riskAreas[0].from");
        yield return Case("MissingReasons", j => j.Remove("reasons"), "reasons");
        yield return Case("MissingReasonCode", j => j["reasons"]!.AsObject().Remove("close_contact"), "close_contact");
        yield return Case("MissingSymptomReason", j => j["reasons"]!.AsObject().Remove("symptom_diarrhea"), "symptom_diarrhea");
        yield return Case("MissingEnglishText", j => j["reasons"]!["positive_test"]!.AsObject().Remove("en"), "reasons.positive_test.en");
        yield return Case("EmptyChineseText", j => j["reasons"]!["red_pending_days"]!["zh-CN"] = "", "reasons.red_pending_days.zh-CN");
    }

    [TestCaseSource(nameof(BrokenPolicies))]
    public void Parse_RejectsAnInvalidPolicy_NamingTheProblem(Action<JsonObject> breakIt, string mentions)
    {
        var json = DefaultJson();
        breakIt(json);

        var error = Assert.Throws<InvalidDataException>(() => RiskPolicy.Parse(json.ToJsonString(), "test-policy.json"));

        Assert.That(error.Message, Does.Contain("test-policy.json").And.Contain(mentions));
    }
}
