using HealthCode.Api.Features.Declarations;
using HealthCode.Trust;
using static HealthCode.Api.Tests.Features.Declarations.DeclarationSamples;

namespace HealthCode.Api.Tests.Features.Declarations;

/// <summary>
/// Scoring with a four-eyes override (DESIGN §10 "Overrides"): through its until date the colour is the override's, its
/// reason first, naming the rule and the date, with the scored reasons after it; from the next day it counts no more.
/// </summary>
internal sealed class OverrideScoringTests
{
    private static readonly RiskScorer Scorer = new(RiskPolicy.Load(RiskPolicyTests.DefaultPolicyPath));
    private static readonly DateOnly T = Today;
    private static readonly FactSource Cdc = new("410000-CDC-002", "密切接触者名单", "cc-7");
    private const string Rule = "豫疫防指〔2020〕12号";

    private static readonly PersonFacts CloseContact = PersonFacts.None with
    {
        CloseContacts = [new CloseContactFact(new DateTimeOffset(T.AddDays(-1).ToDateTime(new TimeOnly(9, 0)), TimeSpan.FromHours(8)), T.AddDays(10), "HA-1", Cdc)],
    };

    private static RiskAssessment Score(PersonFacts person, ColorOverride? manual, DateOnly? today = null, Declaration? declaration = null) =>
        Scorer.Score(declaration ?? Clean(), T, ResidentHistory.Empty, new ScoringFacts(person, []) { Override = manual }, today ?? T);

    private static ColorOverride Override(CodeColor color, int untilDays = 3) => new("ov_test", color, Rule, T.AddDays(untilDays));

    [Test]
    public void AGreenOverride_OfACloseContact_IsGreen_WithTheOverrideReasonFirst_AndTheListedFactAfterIt()
    {
        var a = Score(CloseContact, Override(CodeColor.Green));

        Assert.Multiple(() =>
        {
            Assert.That(a.Color, Is.EqualTo(CodeColor.Green));
            Assert.That(a.RawColor, Is.EqualTo(CodeColor.Green), "the declaration's own colour, which the history keeps, is not the override's");
            Assert.That(a.GreenAfter, Is.Null);
            Assert.That(a.Reasons.Select(r => r.Code), Is.EqualTo(new[] { "override", "listed_close_contact" }));
            Assert.That(a.Reasons[0].ZhCn, Does.Contain(Rule).And.Contain(Format(T.AddDays(3))));
            Assert.That(a.Reasons[0].En, Does.Contain(Rule).And.Contain(Format(T.AddDays(3))));
            Assert.That(a.Reasons[0].Source, Is.Null, "an override is no department's data: nothing to dispute on it");
            Assert.That(a.Reasons[1].Source, Is.EqualTo(Cdc), "the fact set aside stays shown, and disputable");
        });
    }

    [Test]
    public void ARedOverride_OfAGreenPerson_IsRed_UntilTheDayAfterItsEnd()
    {
        var a = Score(PersonFacts.None, Override(CodeColor.Red));

        Assert.Multiple(() =>
        {
            Assert.That(a.Color, Is.EqualTo(CodeColor.Red));
            Assert.That(a.Reasons.Select(r => r.Code), Is.EqualTo(new[] { "override" }));
            Assert.That(a.GreenAfter, Is.EqualTo(T.AddDays(4)));
        });
    }

    [Test]
    public void AYellowOverride_OfARedPerson_IsYellow_AndGreenNoEarlierThanTheScoringSays()
    {
        var a = Score(CloseContact, Override(CodeColor.Yellow));

        Assert.Multiple(() =>
        {
            Assert.That(a.Color, Is.EqualTo(CodeColor.Yellow));
            Assert.That(a.GreenAfter, Is.EqualTo(T.AddDays(11)), "the close contact holds it red until its until date, after the override ends");
        });
    }

    [Test]
    public void AnOverride_OnItsLastDay_Holds_AndTheDayAfter_TheScoredColourReturns()
    {
        var manual = Override(CodeColor.Green, untilDays: 0);

        var lastDay = Score(CloseContact, manual, T);
        var dayAfter = Score(CloseContact, manual, T.AddDays(1));

        Assert.Multiple(() =>
        {
            Assert.That(lastDay.Color, Is.EqualTo(CodeColor.Green));
            Assert.That(dayAfter.Color, Is.EqualTo(CodeColor.Red), "an override past its date is ignored, whether or not the expiry job has run");
            Assert.That(dayAfter.Reasons.Select(r => r.Code), Does.Not.Contain("override"));
        });
    }

    private static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
