using HealthCode.Api.Features.Declarations;
using HealthCode.Trust;
using static HealthCode.Api.Tests.Features.Declarations.DeclarationSamples;

namespace HealthCode.Api.Tests.Features.Declarations;

internal sealed class RiskScorerTests
{
    private static readonly RiskScorer Scorer = new(RiskPolicy.Load(RiskPolicyTests.DefaultPolicyPath));

    // Areas of the default policy the table relies on: 659001 (Shihezi) high and 652800 (Bayingolin)
    // medium, both open-ended demo areas; 420100 (Wuhan) high from 2020-01-23 to 2020-04-08; 110106
    // (Fengtai) high from 2020-06-13 to 2020-07-20.
    private const string HighArea = "659001";
    private const string MediumArea = "652801";

    internal sealed record ScoringCase(
        DateOnly Today,
        Declaration Declaration,
        IReadOnlyList<PastDeclaration> History,
        CodeColor Color,
        CodeColor RawColor,
        string[] Reasons,
        DateOnly? GreenAfter);

    private static readonly DateOnly T = Today;

    private static PastDeclaration Day(int daysAgo, CodeColor color, bool negativeTest = false) =>
        new(T.AddDays(-daysAgo), color, negativeTest);

    private static IEnumerable<PastDeclaration> CleanDays(int fromDaysAgo, int toDaysAgo, params int[] except) =>
        Enumerable.Range(toDaysAgo, fromDaysAgo - toDaysAgo + 1)
            .Where(d => !except.Contains(d))
            .Select(d => Day(d, CodeColor.Green));

    private static TravelEntry Stay(DateOnly today, string region, int fromDaysAgo, int toDaysAgo) =>
        new(region, today.AddDays(-fromDaysAgo), today.AddDays(-toDaysAgo));

    private static IEnumerable<TestCaseData> Table()
    {
        const string Pending7 = "yellow_pending_clean_days";
        const string RedBoth = "red_pending_days_and_test";
        var clean = Clean();
        var testedToday = clean with { LastTest = Test("negative", T) };
        var none = Array.Empty<PastDeclaration>();

        static TestCaseData Case(string name, ScoringCase c) => new TestCaseData(c).SetName("Score_" + name);

        // Raw rules, no history.
        yield return Case("Green_WhenNothingIsDeclared", new(T, clean, none, CodeColor.Green, CodeColor.Green, [], null));
        yield return Case("Red_ForAConfirmedCase", new(T, clean with { Contact = new(true, false, false) }, none,
            CodeColor.Red, CodeColor.Red, ["confirmed_case", RedBoth], T.AddDays(14)));
        yield return Case("Red_ForASuspectedCase", new(T, clean with { Contact = new(false, true, false) }, none,
            CodeColor.Red, CodeColor.Red, ["suspected_case", RedBoth], T.AddDays(14)));
        yield return Case("Red_ForACloseContactNotice", new(T, clean with { Contact = new(false, false, true) }, none,
            CodeColor.Red, CodeColor.Red, ["close_contact", RedBoth], T.AddDays(14)));
        yield return Case("Red_ForAPositiveTest", new(T, clean with { LastTest = Test("positive", T.AddDays(-2)) }, none,
            CodeColor.Red, CodeColor.Red, ["positive_test", RedBoth], T.AddDays(14)));
        yield return Case("Red_WhenNowInAHighRiskArea", new(T, testedToday with { Region = HighArea }, none,
            CodeColor.Red, CodeColor.Red, ["high_risk_area", RedBoth], T.AddDays(14)));
        yield return Case("Red_AndTestRequired_WhenInAHighRiskAreaWithoutTest", new(T, clean with { Region = HighArea }, none,
            CodeColor.Red, CodeColor.Red, ["high_risk_area", "test_required", RedBoth], T.AddDays(14)));
        yield return Case("Red_AfterAStayInAHighRiskArea", new(T, testedToday with { Travel = [Stay(T, HighArea, 10, 8)] }, none,
            CodeColor.Red, CodeColor.Red, ["high_risk_area", RedBoth], T.AddDays(14)));
        yield return Case("Red_AfterAStayInAHighRiskArea14DaysAgo", new(T, testedToday with { Travel = [Stay(T, HighArea, 14, 14)] }, none,
            CodeColor.Red, CodeColor.Red, ["high_risk_area", RedBoth], T.AddDays(14)));
        yield return Case("Green_AfterAStayInAHighRiskAreaOver14DaysAgo", new(T, clean with { Travel = [Stay(T, HighArea, 20, 15)] }, none,
            CodeColor.Green, CodeColor.Green, [], null));

        var april20 = new DateOnly(2020, 4, 20);
        yield return Case("Green_AfterAStayThatStartedWhenTheAreaWasNoLongerDesignated", new(april20,
            clean with { Travel = [Stay(april20, "420102", 10, 8)] }, none, CodeColor.Green, CodeColor.Green, [], null));
        yield return Case("Red_AfterAStayWhileTheAreaWasDesignated", new(april20,
            clean with { Travel = [Stay(april20, "420102", 14, 10)], LastTest = Test("negative", april20.AddDays(-1)) }, none,
            CodeColor.Red, CodeColor.Red, ["high_risk_area", RedBoth], april20.AddDays(14)));
        var july1 = new DateOnly(2020, 7, 1);
        yield return Case("Green_WhenTheStayIsOnlyDeclaredAtACoarserLevelThanTheArea", new(july1,
            clean with { Travel = [Stay(july1, "110100", 10, 5)] }, none, CodeColor.Green, CodeColor.Green, [], null));
        yield return Case("Red_WhenTheStayIsInsideADistrictArea", new(july1,
            clean with { Travel = [Stay(july1, "110106", 10, 5)], LastTest = Test("negative", july1) }, none,
            CodeColor.Red, CodeColor.Red, ["high_risk_area", RedBoth], july1.AddDays(14)));

        yield return Case("Yellow_WhenNowInAMediumRiskArea", new(T, testedToday with { Region = MediumArea }, none,
            CodeColor.Yellow, CodeColor.Yellow, ["medium_risk_area", Pending7], T.AddDays(7)));
        yield return Case("Yellow_AfterAStayInAMediumRiskArea", new(T, testedToday with { Travel = [Stay(T, "652800", 5, 3)] }, none,
            CodeColor.Yellow, CodeColor.Yellow, ["medium_risk_area", Pending7], T.AddDays(7)));
        yield return Case("Yellow_AndTestRequired_AfterAMediumRiskAreaWithoutTest", new(T, clean with { Region = MediumArea }, none,
            CodeColor.Yellow, CodeColor.Yellow, ["medium_risk_area", "test_required", Pending7], T.AddDays(7)));
        yield return Case("TestRequired_WhenTheNegativeTestIs4DaysOld", new(T, clean with { Region = MediumArea, LastTest = Test("negative", T.AddDays(-4)) }, none,
            CodeColor.Yellow, CodeColor.Yellow, ["medium_risk_area", "test_required", Pending7], T.AddDays(7)));
        yield return Case("NoTestRequired_WhenTheNegativeTestIs3DaysOld", new(T, clean with { Region = MediumArea, LastTest = Test("negative", T.AddDays(-3)) }, none,
            CodeColor.Yellow, CodeColor.Yellow, ["medium_risk_area", Pending7], T.AddDays(7)));
        yield return Case("Green_WithAnOldNegativeTestAndNoRiskArea", new(T, clean with { LastTest = Test("negative", T.AddDays(-30)) }, none,
            CodeColor.Green, CodeColor.Green, [], null));
        yield return Case("Yellow_ForATemperatureAtTheThreshold", new(T, clean with { Temperature = 37.3m }, none,
            CodeColor.Yellow, CodeColor.Yellow, ["temperature_high", Pending7], T.AddDays(7)));
        yield return Case("Green_ForATemperatureBelowTheThreshold", new(T, clean with { Temperature = 37.2m }, none,
            CodeColor.Green, CodeColor.Green, [], null));
        yield return Case("Yellow_ForASymptom", new(T, clean with { Symptoms = ["cough"] }, none,
            CodeColor.Yellow, CodeColor.Yellow, ["symptom_cough", Pending7], T.AddDays(7)));
        yield return Case("Yellow_ForEverySymptomInVocabularyOrder", new(T, clean with { Symptoms = ["diarrhea", "fever"] }, none,
            CodeColor.Yellow, CodeColor.Yellow, ["symptom_fever", "symptom_diarrhea", Pending7], T.AddDays(7)));
        yield return Case("Red_ExplainsEveryFactor", new(T,
            clean with { Region = HighArea, Travel = [Stay(T, "652800", 3, 2)], Temperature = 38.5m, Symptoms = ["cough"], Contact = new(false, false, true) }, none,
            CodeColor.Red, CodeColor.Red,
            ["close_contact", "high_risk_area", "medium_risk_area", "temperature_high", "symptom_cough", "test_required", RedBoth], T.AddDays(14)));

        // History: yellow turns green after 7 consecutive clean daily declarations (today counts).
        yield return Case("Green_AfterYellowAnd7CleanDays", new(T, clean,
            [Day(7, CodeColor.Yellow), .. CleanDays(6, 1)], CodeColor.Green, CodeColor.Green, [], null));
        yield return Case("Yellow_AfterYellowAndOnly6CleanDays", new(T, clean,
            [Day(6, CodeColor.Yellow), .. CleanDays(5, 1)], CodeColor.Yellow, CodeColor.Green, [Pending7], T.AddDays(1)));
        yield return Case("Yellow_WhenACleanDayWasMissed", new(T, clean,
            [Day(10, CodeColor.Yellow), .. CleanDays(9, 1, except: 3)], CodeColor.Yellow, CodeColor.Green, [Pending7], T.AddDays(4)));
        yield return Case("Yellow_WhenYellowEarlierToday", new(T, clean,
            [Day(0, CodeColor.Yellow), .. CleanDays(9, 1)], CodeColor.Yellow, CodeColor.Green, [Pending7], T.AddDays(7)));

        // History: red turns green 14 days after the last red day and with a negative test after it.
        yield return Case("Green_14DaysAfterRedWithANegativeTest", new(T, clean,
            [Day(14, CodeColor.Red), .. CleanDays(13, 3), Day(2, CodeColor.Green, negativeTest: true), Day(1, CodeColor.Green)],
            CodeColor.Green, CodeColor.Green, [], null));
        yield return Case("Red_14DaysAfterRedWithoutANegativeTest", new(T, clean,
            [Day(14, CodeColor.Red), .. CleanDays(13, 1)], CodeColor.Red, CodeColor.Green, ["red_pending_negative_test"], T));
        yield return Case("Red_13DaysAfterRedEvenWithANegativeTest", new(T, clean,
            [Day(13, CodeColor.Red), .. CleanDays(12, 2), Day(1, CodeColor.Green, negativeTest: true)],
            CodeColor.Red, CodeColor.Green, ["red_pending_days"], T.AddDays(1)));
        yield return Case("Red_13DaysAfterRedWithoutATest", new(T, clean,
            [Day(13, CodeColor.Red)], CodeColor.Red, CodeColor.Green, [RedBoth], T.AddDays(1)));
        yield return Case("Green_14DaysAfterRedWithTodaysNegativeTest", new(T, testedToday,
            [Day(14, CodeColor.Red)], CodeColor.Green, CodeColor.Green, [], null));
        yield return Case("Red_WhenTheOnlyNegativeTestWasOnTheRedDay", new(T, clean,
            [Day(14, CodeColor.Red, negativeTest: true), .. CleanDays(13, 1)], CodeColor.Red, CodeColor.Green, ["red_pending_negative_test"], T));
        yield return Case("Red_WhenTodaysNegativeTestPredatesTheRedDay", new(T, clean with { LastTest = Test("negative", T.AddDays(-15)) },
            [Day(14, CodeColor.Red)], CodeColor.Red, CodeColor.Green, ["red_pending_negative_test"], T));
        yield return Case("Red_WhenRedEarlierToday", new(T, clean,
            [Day(0, CodeColor.Red)], CodeColor.Red, CodeColor.Green, [RedBoth], T.AddDays(14)));
        yield return Case("Yellow_WhenYellowFollowedAClearedRed", new(T, clean,
            [Day(20, CodeColor.Red), Day(6, CodeColor.Green, negativeTest: true), Day(3, CodeColor.Yellow), .. CleanDays(2, 1)],
            CodeColor.Yellow, CodeColor.Green, [Pending7], T.AddDays(4)));
        yield return Case("Green_RedDaysDoNotNeedCleanDaysOnceCleared", new(T, testedToday,
            [Day(30, CodeColor.Yellow), Day(14, CodeColor.Red)], CodeColor.Green, CodeColor.Green, [], null));
        yield return Case("Red_WithTheLaterGreenAfter_WhenYellowTodayAndRedPending", new(T, clean with { Temperature = 37.5m },
            [Day(10, CodeColor.Red), Day(1, CodeColor.Green, negativeTest: true)],
            CodeColor.Red, CodeColor.Yellow, ["temperature_high", "red_pending_days", Pending7], T.AddDays(7)));
        yield return Case("Green_IgnoringHistoryDatedAfterToday", new(T, clean,
            [Day(-1, CodeColor.Red)], CodeColor.Green, CodeColor.Green, [], null));
    }

    [TestCaseSource(nameof(Table))]
    public void Score_FollowsTheDefaultPolicy(ScoringCase c)
    {
        var result = Scorer.Score(c.Declaration, new ResidentHistory(c.History), c.Today);

        Assert.Multiple(() =>
        {
            Assert.That(result.Color, Is.EqualTo(c.Color), "colour");
            Assert.That(result.RawColor, Is.EqualTo(c.RawColor), "raw colour");
            Assert.That(result.Reasons.Select(r => r.Code), Is.EqualTo(c.Reasons), "reasons");
            Assert.That(result.GreenAfter, Is.EqualTo(c.GreenAfter), "green after");
            Assert.That(result.PolicyVersion, Is.EqualTo("2020.1-default"));
            Assert.That(result.Reasons.Where(r => r.ZhCn.Contains('{', StringComparison.Ordinal) || r.En.Contains('{', StringComparison.Ordinal)),
                Is.Empty, "every placeholder is filled");
        });
    }

    [Test]
    public void Score_FillsPlaceholders()
    {
        var result = Scorer.Score(Clean() with { Region = HighArea, Temperature = 38.0m }, ResidentHistory.Empty, T);
        var yellow = Scorer.Score(Clean() with { Symptoms = ["fatigue"] }, ResidentHistory.Empty, T);

        Assert.Multiple(() =>
        {
            Assert.That(result.Reasons.Single(r => r.Code == "high_risk_area").ZhCn,
                Does.Contain("新疆维吾尔自治区直辖县级行政区划 (659001)").And.Contain("14"));
            Assert.That(result.Reasons.Single(r => r.Code == "high_risk_area").En, Does.Contain("(659001)"));
            Assert.That(result.Reasons.Single(r => r.Code == "temperature_high").En, Does.Contain("38.0 °C").And.Contain("37.3 °C"));
            Assert.That(result.Reasons.Single(r => r.Code == "test_required").En, Does.Contain("last 3 days"));
            Assert.That(yellow.Reasons.Single(r => r.Code == "yellow_pending_clean_days").En, Does.StartWith("7 more").And.Contain("2025-03-17"));
            Assert.That(result.Reasons.Single(r => r.Code == "red_pending_days_and_test").ZhCn,
                Does.Contain("2025-03-24").And.Contain("2025-03-10"));
        });
    }

    [Test]
    public void Score_IsDeterministic_WhateverTheHistoryOrder()
    {
        var declaration = Clean() with { Travel = [Stay(T, "652800", 5, 3)], Symptoms = ["cough"], Temperature = 37.8m };
        PastDeclaration[] past = [Day(12, CodeColor.Red), Day(3, CodeColor.Yellow), Day(1, CodeColor.Green, negativeTest: true), .. CleanDays(11, 4)];

        var first = Scorer.Score(declaration, new ResidentHistory(past), T);
        var again = Scorer.Score(declaration, new ResidentHistory(past), T);
        var reversed = Scorer.Score(declaration, new ResidentHistory([.. past.Reverse()]), T);
        var shuffled = Scorer.Score(declaration, new ResidentHistory([.. past.OrderBy(p => p.Date.DayNumber * 7919 % 13)]), T);

        foreach (var other in new[] { again, reversed, shuffled })
        {
            Assert.Multiple(() =>
            {
                Assert.That(other.Color, Is.EqualTo(first.Color));
                Assert.That(other.RawColor, Is.EqualTo(first.RawColor));
                Assert.That(other.Reasons, Is.EqualTo(first.Reasons));
                Assert.That(other.GreenAfter, Is.EqualTo(first.GreenAfter));
                Assert.That(other.PolicyVersion, Is.EqualTo(first.PolicyVersion));
            });
        }
    }
}
