using HealthCode.Api.Features.Declarations;
using HealthCode.Trust;
using static HealthCode.Api.Tests.Features.Declarations.DeclarationSamples;

namespace HealthCode.Api.Tests.Features.Declarations;

/// <summary>
/// Scoring with what the departments hold (DESIGN §6, §9): each rule of a fact, each naming its source, on top of a
/// clean declaration; and re-scoring a declaration made days before.
/// </summary>
internal sealed class FactScoringTests
{
    private static readonly RiskScorer Scorer = new(RiskPolicy.Load(RiskPolicyTests.DefaultPolicyPath));
    private static readonly DateOnly T = Today;
    private static readonly FactSource Cdc = new("410000-CDC-001", "河南省疾控中心密切接触者名单", "cdc-2025-03-10");
    private static readonly FactSource Lab = new("410000-LAB-001", "郑州检测实验室结果", "lab-7");
    private static readonly FactSource Rail = new("410000-JT-001", "铁路客运记录", "rail-42");
    private static readonly FactSource Commission = new("410000-WJW-001", "河南省风险地区", "areas-3");

    private static DateTimeOffset At(int daysAgo) => new(T.AddDays(-daysAgo).ToDateTime(new TimeOnly(9, 0)), TimeSpan.FromHours(8));

    private static RiskAssessment Score(PersonFacts person, Declaration? declaration = null, IReadOnlyList<SharedRiskArea>? areas = null, IReadOnlyList<PastDeclaration>? history = null) =>
        Scorer.Score(declaration ?? Clean(), T, new ResidentHistory(history ?? []), new ScoringFacts(person, areas ?? []), T);

    private static string[] Codes(RiskAssessment a) => [.. a.Reasons.Select(r => r.Code)];

    [Test]
    public void AStandingConfirmedCase_IsRed_WithNoDateToTurnGreen_AndNamesItsSource()
    {
        var a = Score(PersonFacts.None with { Case = new CaseFact("confirmed", At(2), Cdc) });

        Assert.Multiple(() =>
        {
            Assert.That(a.Color, Is.EqualTo(CodeColor.Red));
            Assert.That(a.RawColor, Is.EqualTo(CodeColor.Green), "the declaration itself was clean");
            Assert.That(a.GreenAfter, Is.Null);
            Assert.That(a.Reasons.Single(r => r.Code == "reported_confirmed_case").Source, Is.EqualTo(Cdc));
            Assert.That(a.Reasons[0].ZhCn, Does.Contain(Cdc.Name));
        });
    }

    [Test]
    public void AClearedCase_IsARedDay_SoTheRedToGreenRuleRunsFromIt()
    {
        var cleared = PersonFacts.None with { Case = new CaseFact("cleared", At(20), Cdc) };
        var notTested = Score(cleared);
        var tested = Score(cleared with { Tests = [new TestFact(At(3), Positive: false, "郑州检测", Lab)] });

        Assert.Multiple(() =>
        {
            Assert.That(notTested.Color, Is.EqualTo(CodeColor.Red));
            Assert.That(Codes(notTested), Does.Contain("red_pending_negative_test"));
            Assert.That(tested.Color, Is.EqualTo(CodeColor.Green), "14 days passed and a lab's negative test came after");
        });
    }

    [Test]
    public void ACloseContact_IsRedUntilItsUntilDate_ThenNothing()
    {
        var listed = Score(PersonFacts.None with { CloseContacts = [new CloseContactFact(At(3), T.AddDays(4), "case-17", Cdc)] });
        var over = Score(PersonFacts.None with { CloseContacts = [new CloseContactFact(At(16), T.AddDays(-1), "case-17", Cdc)] });

        Assert.Multiple(() =>
        {
            Assert.That(listed.Color, Is.EqualTo(CodeColor.Red));
            Assert.That(listed.GreenAfter, Is.EqualTo(T.AddDays(5)));
            Assert.That(listed.Reasons.Single().Code, Is.EqualTo("listed_close_contact"));
            Assert.That(listed.Reasons.Single().Source, Is.EqualTo(Cdc));
            Assert.That(over.Color, Is.EqualTo(CodeColor.Green));
        });
    }

    [Test]
    public void ALabsPositiveTest_IsRed_AndNamesTheLab()
    {
        var a = Score(PersonFacts.None with { Tests = [new TestFact(At(1), Positive: true, "郑州检测", Lab)] });

        Assert.That(a.Color, Is.EqualTo(CodeColor.Red));
        Assert.That(Codes(a), Does.Contain("reported_positive_test").And.Contain("red_pending_days_and_test"));
        Assert.That(a.Reasons.First(r => r.Code == "reported_positive_test").En, Does.Contain("郑州检测"));
    }

    [Test]
    public void ATravelRecord_PutsAStayInARiskAreaOnTheCode_WithoutTheResidentDeclaringIt()
    {
        // 659001 (Shihezi) is a high-risk area of the default policy; the resident declared no travel.
        var trip = new TravelFact("rail", "G123", T.AddDays(-3), "659001", "410100", Rail);

        var a = Score(PersonFacts.None with { Travel = [trip] });

        Assert.That(a.Color, Is.EqualTo(CodeColor.Red));
        Assert.That(a.Reasons.First(r => r.Code == "high_risk_area").Source, Is.EqualTo(Rail));
    }

    [Test]
    public void TravellingWithAConfirmedCase_IsYellowCoTraveller_WithinTheWindowOnly()
    {
        var recent = Score(PersonFacts.None with { CoTravel = [new CoTravelFact("G123", T.AddDays(-2), Rail)] });
        var old = Score(PersonFacts.None with { CoTravel = [new CoTravelFact("G123", T.AddDays(-20), Rail)] });

        Assert.Multiple(() =>
        {
            Assert.That(recent.Color, Is.EqualTo(CodeColor.Yellow));
            Assert.That(recent.Reasons.Single().Code, Is.EqualTo("co_traveller"));
            Assert.That(recent.Reasons.Single().ZhCn, Does.Contain("G123"));
            Assert.That(old.Color, Is.EqualTo(CodeColor.Green));
        });
    }

    [Test]
    public void ADepartmentsRiskArea_CountsForDeclaredStays_AndALowOneLiftsThePolicyFilesDesignation()
    {
        var zhengzhou = new SharedRiskArea(RiskArea.Of("410105", RiskLevel.High, T.AddDays(-5), T.AddDays(10)), Commission);
        var liftShihezi = new SharedRiskArea(RiskArea.Of("659001", RiskLevel.Low, T.AddDays(-30), T.AddDays(30)), Commission);

        var inZhengzhou = Score(PersonFacts.None, Clean() with { Region = "410105" }, [zhengzhou]);
        var inShihezi = Score(PersonFacts.None, Clean() with { Region = "659001" }, [liftShihezi]);

        Assert.Multiple(() =>
        {
            Assert.That(inZhengzhou.Color, Is.EqualTo(CodeColor.Red));
            Assert.That(inZhengzhou.Reasons.First(r => r.Code == "high_risk_area").Source, Is.EqualTo(Commission));
            Assert.That(inShihezi.Color, Is.EqualTo(CodeColor.Green), "the commission's designation replaces the policy file's for those days");
        });
    }

    [Test]
    public void RescoringALaterDay_KeepsTheDeclarationOnItsOwnDay()
    {
        // A fever declared three days ago: yellow; re-scored today (a batch came), the three days since were not
        // declared, so the code is still yellow and still needs seven clean days from today.
        var feverish = Clean() with { Temperature = 38.1m };
        var then = T.AddDays(-3);

        var a = Scorer.Score(feverish, then, new ResidentHistory([new PastDeclaration(then, CodeColor.Yellow, false)]), ScoringFacts.None, T);

        Assert.Multiple(() =>
        {
            Assert.That(a.Color, Is.EqualTo(CodeColor.Yellow));
            Assert.That(a.GreenAfter, Is.EqualTo(T.AddDays(7)));
            Assert.That(Codes(a), Does.Contain("temperature_high").And.Contain("yellow_pending_clean_days"));
        });
    }

    [Test]
    public void NoFacts_ScoresAsBefore()
    {
        var clean = Clean();

        Assert.That(Scorer.Score(clean, T, ResidentHistory.Empty, ScoringFacts.None, T), Is.EqualTo(Scorer.Score(clean, ResidentHistory.Empty, T)).Using<RiskAssessment>(
            (x, y) => x.Color == y.Color && x.RawColor == y.RawColor && x.GreenAfter == y.GreenAfter && x.Reasons.SequenceEqual(y.Reasons)));
    }
}
