using System.Globalization;
using HealthCode.Trust;

namespace HealthCode.Api.Features.Declarations;

/// <summary>A past, already assessed declaration of the same resident.</summary>
/// <param name="Date">The declaration's calendar date (China Standard Time).</param>
/// <param name="RawColor">The colour of that declaration alone (<see cref="RiskAssessment.RawColor"/>).</param>
/// <param name="NegativeTest">True when that declaration reported a negative test whose sample was
/// taken on <paramref name="Date"/> (the scorer counts the test as taken that day).</param>
internal sealed record PastDeclaration(DateOnly Date, CodeColor RawColor, bool NegativeTest);

/// <summary>The resident's past assessed declarations, in any order. The caller decides how far
/// back it reaches (what "recent" means); the scorer uses all of it.</summary>
internal sealed record ResidentHistory(IReadOnlyList<PastDeclaration> Past)
{
    public static readonly ResidentHistory Empty = new([]);
}

/// <summary>
/// One reason for a colour, with a stable code and its filled-in texts; a reason from shared data names its
/// source (DESIGN §9: the catalogue entry and the batch).
/// </summary>
internal sealed record RiskReason(string Code, string ZhCn, string En)
{
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public FactSource? Source { get; init; }
}

/// <summary>The outcome of scoring a declaration.</summary>
/// <param name="Color">The colour to issue: the raw colour, held up by the history.</param>
/// <param name="RawColor">The colour of today's declaration alone.</param>
/// <param name="Reasons">Every factor behind a non-green colour; empty for green.</param>
/// <param name="GreenAfter">For yellow and red: the first day the code turns green if every day
/// from now on is clean (a red code also needs a negative test, which a reason says).</param>
/// <param name="PolicyVersion">The policy that produced the result.</param>
internal sealed record RiskAssessment(
    CodeColor Color,
    CodeColor RawColor,
    IReadOnlyList<RiskReason> Reasons,
    DateOnly? GreenAfter,
    string PolicyVersion);

/// <summary>The stable reason codes; a policy must carry zh-CN and en texts for each of them.</summary>
internal static class RiskReasons
{
    public const string ConfirmedCase = "confirmed_case";
    public const string SuspectedCase = "suspected_case";
    public const string CloseContact = "close_contact";
    public const string PositiveTest = "positive_test";
    public const string HighRiskArea = "high_risk_area";
    public const string MediumRiskArea = "medium_risk_area";
    public const string Fever = "temperature_high";
    public const string TestRequired = "test_required";
    public const string YellowPendingCleanDays = "yellow_pending_clean_days";
    public const string RedPendingDays = "red_pending_days";
    public const string RedPendingDaysAndTest = "red_pending_days_and_test";
    public const string RedPendingTest = "red_pending_negative_test";

    // From the departments' data (DESIGN §9); each names its source.
    public const string ReportedConfirmedCase = "reported_confirmed_case";
    public const string ReportedSuspectedCase = "reported_suspected_case";
    public const string ListedCloseContact = "listed_close_contact";
    public const string ReportedPositiveTest = "reported_positive_test";
    public const string CoTraveller = "co_traveller";

    // A colour set by hand under four eyes (DESIGN §10 "Overrides"); names the rule and the last day.
    public const string Override = "override";

    /// <summary>The reason code for a declared symptom: <c>symptom_</c> + the vocabulary code.</summary>
    public static string Symptom(string symptom) => "symptom_" + symptom;

    public static readonly IReadOnlyList<string> All =
    [
        ConfirmedCase, SuspectedCase, CloseContact, PositiveTest, HighRiskArea, MediumRiskArea, Fever,
        .. Symptoms.Vocabulary.Select(Symptom),
        TestRequired, YellowPendingCleanDays, RedPendingDays, RedPendingDaysAndTest, RedPendingTest,
        ReportedConfirmedCase, ReportedSuspectedCase, ListedCloseContact, ReportedPositiveTest, CoTraveller,
        Override,
    ];
}

/// <summary>
/// Turns a declaration, the person's history and what the departments hold about them into a colour with reasons
/// (DESIGN §6, §9). Pure and deterministic: no clock, no I/O; the same declaration, history, facts, dates and policy
/// give the same assessment (the order of <see cref="ResidentHistory.Past"/> does not matter).
/// </summary>
/// <remarks>
/// <para>Raw colour, from the declaration alone (on the day it was made):</para>
/// <list type="bullet">
/// <item>red: a confirmed or suspected case, a close-contact notice, a positive last test, or a stay
/// in a high-risk area while it was designated, within the last <c>riskWindowDays</c> (the current
/// region counts as a stay that day; travel stays are clipped to the window);</item>
/// <item>yellow: temperature at or above <c>feverThreshold</c>, any listed symptom, a stay in a
/// medium-risk area, or no negative test within <c>requiredTest.maxAgeDays</c> after a stay in an
/// area of a level listed in <c>requiredTest.afterLevels</c> (a lab's negative test counts too);</item>
/// <item>green otherwise.</item>
/// </list>
/// <para>Facts from the departments (DESIGN §9), as of today:</para>
/// <list type="bullet">
/// <item>a confirmed or suspected case: red while the case stands, with no date to turn green; a cleared case is a
/// red day on the day it was cleared, so the red-to-green rule below applies from there;</item>
/// <item>a close contact: red until its <c>until</c> date (inclusive);</item>
/// <item>a lab's positive test: a red day on the day of its sample; a negative one counts as a negative test;</item>
/// <item>a journey on a travel record: a stay in its departure and its arrival region on its date, scored as a
/// declared stay is (risk areas, the required test);</item>
/// <item>a journey on the same service and date as a confirmed case: yellow (<c>co_traveller</c>) within the window.</item>
/// </list>
/// <para>Risk areas are the policy file's, except where a department designated the same region for overlapping days:
/// there the department's designation holds (level <c>low</c> lifts one).</para>
/// <para>History: each day takes the worst colour of the declarations made on it and the facts dated on it.</para>
/// <list type="bullet">
/// <item>After the last red day R the code stays red until today ≥ R + <c>redToGreenDays</c> and a
/// negative test was taken after R (a past declaration dated after R with a negative test, today's
/// declared negative test dated after R, or a lab's). GreenAfter = R + <c>redToGreenDays</c>.</item>
/// <item>After the last yellow day Y (later than any red day) the code stays yellow until the
/// <c>yellowToGreenCleanDays</c> calendar days ending today each have a green declaration: a missed
/// or non-green day restarts the count. GreenAfter = today + the days still missing.</item>
/// </list>
/// <para>When both hold, the code is red and GreenAfter is the later of the two dates.</para>
/// <para>An override (DESIGN §10), through its <c>until</c> date, sets the colour whatever the rest says. Its reason
/// (<c>override</c>, naming the rule and the date) comes first and the reasons the scoring found stay listed after it,
/// so the resident sees what it sets aside, what returns when it ends, and can still dispute those facts. An override
/// to green has no GreenAfter; to yellow or red, GreenAfter is the day after its end, or the scoring's date when that is
/// later (none for a standing case). From the day after <c>until</c> the override counts no more: the scored colour is
/// back at the next scoring.</para>
/// </remarks>
internal sealed class RiskScorer(RiskPolicy policy)
{
    private readonly RiskPolicy _policy = policy ?? throw new ArgumentNullException(nameof(policy));

    /// <summary>Today's declaration, with no facts from the departments.</summary>
    public RiskAssessment Score(Declaration d, ResidentHistory history, DateOnly today) =>
        Score(d, today, history, ScoringFacts.None, today);

    /// <summary>
    /// The declaration made on <paramref name="declaredOn"/> (today, or the person's latest when a batch re-scores
    /// them), with the history and the facts, as of <paramref name="today"/>.
    /// </summary>
    public RiskAssessment Score(Declaration d, DateOnly declaredOn, ResidentHistory history, ScoringFacts facts, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(facts);

        var reasons = new List<RiskReason>();
        var areas = AreasInForce(facts.Areas);
        var person = facts.Person;
        var labNegatives = person.Tests.Where(t => !t.Positive).Select(t => ChinaTime.DateOf(t.SampledAt)).ToList();
        var raw = ScoreDeclaration(d, declaredOn, areas, labNegatives, reasons);

        var days = new Dictionary<DateOnly, CodeColor>();
        var negativeTests = new List<DateOnly>(labNegatives);
        AddDay(days, declaredOn, raw, today);
        var current = ScoreFacts(person, areas, labNegatives, today, days, reasons);
        var (color, greenAfter) = ApplyHistory(d, declaredOn, history, days, negativeTests, today, reasons);

        color = Max(color, current.Color);
        if (current.Color != CodeColor.Green && current.HeldUntil is { } heldUntil)
        {
            greenAfter = greenAfter is { } g && g > heldUntil.AddDays(1) ? g : heldUntil.AddDays(1);
        }

        if (current.OpenCase)
        {
            // A standing case turns green only when the CDC clears it: no date can be promised.
            greenAfter = null;
        }

        if (color == CodeColor.Green)
        {
            reasons.Clear();
            greenAfter = null;
        }

        if (facts.Override is { } manual && manual.Until >= today)
        {
            (color, greenAfter) = ApplyOverride(manual, color, greenAfter, reasons);
        }

        return new RiskAssessment(color, raw, reasons, greenAfter, _policy.Version);
    }

    private (CodeColor Color, DateOnly? GreenAfter) ApplyOverride(ColorOverride manual, CodeColor scored, DateOnly? scoredGreenAfter, List<RiskReason> reasons)
    {
        var values = Values("rule", manual.Rule, "until", Format(manual.Until));
        reasons.Insert(0, Reason(RiskReasons.Override, values, values));
        if (manual.Color == CodeColor.Green)
        {
            return (CodeColor.Green, null);
        }

        var ends = manual.Until.AddDays(1);
        return (manual.Color, scored == CodeColor.Green ? ends : scoredGreenAfter is { } later ? Max(later, ends) : null);
    }

    private CodeColor ScoreDeclaration(Declaration d, DateOnly today, List<AreaInForce> areas, List<DateOnly> labNegatives, List<RiskReason> reasons)
    {
        var color = CodeColor.Green;
        void Add(CodeColor level, string code, IReadOnlyDictionary<string, string>? zh = null, IReadOnlyDictionary<string, string>? en = null, FactSource? source = null)
        {
            color = Max(color, level);
            reasons.Add(Reason(code, zh, en) with { Source = source });
        }

        if (d.Contact?.ConfirmedCase == true)
        {
            Add(CodeColor.Red, RiskReasons.ConfirmedCase);
        }

        if (d.Contact?.SuspectedCase == true)
        {
            Add(CodeColor.Red, RiskReasons.SuspectedCase);
        }

        if (d.Contact?.CloseContactNotice == true)
        {
            Add(CodeColor.Red, RiskReasons.CloseContact);
        }

        if (string.Equals(d.LastTest?.Result, "positive", StringComparison.OrdinalIgnoreCase))
        {
            Add(CodeColor.Red, RiskReasons.PositiveTest);
        }

        var exposures = Exposures(DeclaredStays(d, today), areas, today);
        foreach (var exposure in exposures)
        {
            AddExposure(exposure, Add);
        }

        if (d.Temperature is { } temperature && temperature >= _policy.FeverThreshold)
        {
            var values = Values(
                "value", temperature.ToString("0.0", CultureInfo.InvariantCulture),
                "threshold", _policy.FeverThreshold.ToString("0.0", CultureInfo.InvariantCulture));
            Add(CodeColor.Yellow, RiskReasons.Fever, values, values);
        }

        var declared = d.Symptoms ?? [];
        foreach (var symptom in Symptoms.Vocabulary.Where(s => declared.Contains(s, StringComparer.Ordinal)))
        {
            Add(CodeColor.Yellow, RiskReasons.Symptom(symptom));
        }

        if (NeedsTest(exposures, d, labNegatives, today))
        {
            var values = Values("n", _policy.RequiredTest.MaxAgeDays.ToString(CultureInfo.InvariantCulture));
            Add(CodeColor.Yellow, RiskReasons.TestRequired, values, values);
        }

        return color;
    }

    /// <summary>
    /// The facts' colour today and what holds it: a standing case, the last day a close contact or a journey counts
    /// (<c>HeldUntil</c>). Facts dated on a day (a cleared case, a positive test) go into <paramref name="days"/> for
    /// the history rules.
    /// </summary>
    private (CodeColor Color, DateOnly? HeldUntil, bool OpenCase) ScoreFacts(
        PersonFacts facts, List<AreaInForce> areas, List<DateOnly> labNegatives, DateOnly today, Dictionary<DateOnly, CodeColor> days, List<RiskReason> reasons)
    {
        var color = CodeColor.Green;
        DateOnly? redUntil = null;
        var openCase = false;
        void Add(CodeColor level, string code, IReadOnlyDictionary<string, string>? zh, IReadOnlyDictionary<string, string>? en, FactSource? source)
        {
            color = Max(color, level);
            reasons.Add(Reason(code, zh, en) with { Source = source });
        }

        if (facts.Case is { } reported)
        {
            var on = ChinaTime.DateOf(reported.At);
            if (reported.Status is "confirmed" or "suspected")
            {
                openCase = true;
                var values = Values("source", reported.Source.Name, "date", Format(on));
                Add(CodeColor.Red, reported.Status == "confirmed" ? RiskReasons.ReportedConfirmedCase : RiskReasons.ReportedSuspectedCase, values, values, reported.Source);
            }
            else
            {
                AddDay(days, on, CodeColor.Red, today);
            }
        }

        foreach (var contact in facts.CloseContacts.Where(c => c.Until >= today).OrderBy(c => c.Until))
        {
            redUntil = redUntil is { } held && held > contact.Until ? held : contact.Until;
            var values = Values("source", contact.Source.Name, "until", Format(contact.Until));
            Add(CodeColor.Red, RiskReasons.ListedCloseContact, values, values, contact.Source);
        }

        foreach (var positive in facts.Tests.Where(t => t.Positive))
        {
            var sampled = ChinaTime.DateOf(positive.SampledAt);
            AddDay(days, sampled, CodeColor.Red, today);
            if (sampled <= today && sampled >= today.AddDays(-_policy.RedToGreenDays))
            {
                var values = Values("source", positive.Source.Name, "lab", positive.Lab, "date", Format(sampled));
                reasons.Add(Reason(RiskReasons.ReportedPositiveTest, values, values) with { Source = positive.Source });
            }
        }

        var stays = facts.Travel.SelectMany(t => new[] { new Stay(t.From, t.Date, t.Date, t.Source), new Stay(t.To, t.Date, t.Date, t.Source) }).ToList();
        var exposures = Exposures(stays, areas, today);
        foreach (var exposure in exposures)
        {
            AddExposure(exposure, (level, code, zh, en, source) => Add(level, code, zh, en, source));
        }

        // A journey counts until it leaves the window: the code may turn green the day after (when nothing else holds it).
        void HeldUntil(DateOnly date)
        {
            var last = date.AddDays(_policy.RiskWindowDays);
            redUntil = redUntil is { } held && held > last ? held : last;
        }

        foreach (var exposure in exposures)
        {
            HeldUntil(stays.Where(s => s.Region == exposure.Region).Max(s => s.To));
        }

        if (NeedsTest(exposures, null, labNegatives, today))
        {
            var values = Values("n", _policy.RequiredTest.MaxAgeDays.ToString(CultureInfo.InvariantCulture));
            Add(CodeColor.Yellow, RiskReasons.TestRequired, values, values, null);
        }

        var windowStart = today.AddDays(-_policy.RiskWindowDays);
        foreach (var trip in facts.CoTravel.Where(t => t.Date >= windowStart && t.Date <= today).DistinctBy(t => (t.Service, t.Date)))
        {
            var values = Values("source", trip.Source.Name, "service", trip.Service, "date", Format(trip.Date));
            Add(CodeColor.Yellow, RiskReasons.CoTraveller, values, values, trip.Source);
            HeldUntil(trip.Date);
        }

        return (color, redUntil, openCase);
    }

    private void AddExposure(Exposure exposure, Action<CodeColor, string, IReadOnlyDictionary<string, string>?, IReadOnlyDictionary<string, string>?, FactSource?> add)
    {
        var high = exposure.Level == RiskLevel.High;
        add(
            high ? CodeColor.Red : CodeColor.Yellow,
            high ? RiskReasons.HighRiskArea : RiskReasons.MediumRiskArea,
            Values("region", RegionCodes.Describe(exposure.Region, english: false), "days", Days(_policy.RiskWindowDays)),
            Values("region", RegionCodes.Describe(exposure.Region, english: true), "days", Days(_policy.RiskWindowDays)),
            exposure.Source);
    }

    private bool NeedsTest(List<Exposure> exposures, Declaration? d, List<DateOnly> labNegatives, DateOnly today)
    {
        var rule = _policy.RequiredTest;
        if (!exposures.Any(e => rule.AfterLevels.Contains(e.Level)))
        {
            return false;
        }

        var since = today.AddDays(-rule.MaxAgeDays);
        var declared = d is null ? null : NegativeTestDate(d, today);
        return !(declared >= since || labNegatives.Any(t => t >= since && t <= today));
    }

    /// <summary>A stay in a region over some days; <c>Source</c> names a travel record, null for a declared stay.</summary>
    private sealed record Stay(string Region, DateOnly From, DateOnly To, FactSource? Source);

    /// <summary>The worst level of area a region was in while designated, and who says so.</summary>
    private sealed record Exposure(string Region, RiskLevel Level, FactSource? Source);

    /// <summary>A designation in force: the policy file's (no source) or a department's.</summary>
    private sealed record AreaInForce(RiskArea Area, FactSource? Source);

    private List<AreaInForce> AreasInForce(IReadOnlyList<SharedRiskArea> shared)
    {
        // A department's designation replaces the policy file's for the same region on the days it covers.
        var kept = _policy.RiskAreas
            .Where(own => !shared.Any(s => s.Area.Region == own.Region && s.Area.InForceDuring(own.From, own.To ?? DateOnly.MaxValue)))
            .Select(own => new AreaInForce(own, null));
        return [.. kept, .. shared.Select(s => new AreaInForce(s.Area, s.Source))];
    }

    // The current region (a stay that day) and the declared travel, clipped to the window.
    private List<Stay> DeclaredStays(Declaration d, DateOnly today)
    {
        var windowStart = today.AddDays(-_policy.RiskWindowDays);
        var stays = new List<Stay>();
        if (!string.IsNullOrEmpty(d.Region))
        {
            stays.Add(new Stay(d.Region, today, today, null));
        }

        foreach (var entry in d.Travel ?? [])
        {
            if (entry?.Region is not { Length: > 0 } region)
            {
                continue;
            }

            // Missing dates (rejected by the validator) widen the stay to the whole window: the
            // scorer errs towards risk rather than ignore a declared stay.
            stays.Add(new Stay(region, entry.From ?? windowStart, entry.To ?? today, null));
        }

        return stays;
    }

    // The worst level of risk area each region stayed in (within the window) was in while it was
    // designated, in the order of the stays, one entry per region.
    private List<Exposure> Exposures(IEnumerable<Stay> stays, List<AreaInForce> areas, DateOnly today)
    {
        var windowStart = today.AddDays(-_policy.RiskWindowDays);
        var exposures = new List<Exposure>();
        foreach (var stay in stays)
        {
            var from = Max(stay.From, windowStart);
            var to = Min(stay.To, today);
            if (from > to)
            {
                continue;
            }

            AreaInForce? worst = null;
            foreach (var designated in areas)
            {
                if (designated.Area.Level != RiskLevel.Low && designated.Area.Contains(stay.Region) && designated.Area.InForceDuring(from, to)
                    && (worst is null || designated.Area.Level > worst.Area.Level))
                {
                    worst = designated;
                }
            }

            if (worst is null)
            {
                continue;
            }

            var exposure = new Exposure(stay.Region, worst.Area.Level, stay.Source ?? worst.Source);
            var existing = exposures.FindIndex(e => e.Region == stay.Region);
            if (existing < 0)
            {
                exposures.Add(exposure);
            }
            else if (exposure.Level > exposures[existing].Level)
            {
                exposures[existing] = exposure;
            }
        }

        return exposures;
    }

    private static bool HasRecentNegativeTest(Declaration d, DateOnly today, int maxAgeDays) =>
        NegativeTestDate(d, today) is { } date && date >= today.AddDays(-maxAgeDays);

    private static DateOnly? NegativeTestDate(Declaration d, DateOnly today) =>
        d.LastTest is { Result: "negative", At: { } at } && ChinaTime.DateOf(at) is var date && date <= today
            ? date
            : null;

    private static void AddDay(Dictionary<DateOnly, CodeColor> days, DateOnly day, CodeColor color, DateOnly today)
    {
        // Days after today (clock trouble) are ignored.
        if (day <= today)
        {
            days[day] = days.TryGetValue(day, out var seen) ? Max(seen, color) : color;
        }
    }

    private (CodeColor Color, DateOnly? GreenAfter) ApplyHistory(
        Declaration d, DateOnly declaredOn, ResidentHistory history, Dictionary<DateOnly, CodeColor> days, List<DateOnly> negativeTests, DateOnly today, List<RiskReason> reasons)
    {
        // Worst colour per day.
        foreach (var past in history.Past ?? [])
        {
            if (past is null)
            {
                continue;
            }

            AddDay(days, past.Date, past.RawColor, today);
            if (past.NegativeTest && past.Date <= today)
            {
                negativeTests.Add(past.Date);
            }
        }

        if (NegativeTestDate(d, declaredOn) is { } declaredTest)
        {
            negativeTests.Add(declaredTest);
        }

        var raw = days.TryGetValue(today, out var todays) ? todays : CodeColor.Green;
        var color = raw;
        DateOnly? greenAfter = null;

        DateOnly? lastRed = days.Where(p => p.Value == CodeColor.Red).Select(p => (DateOnly?)p.Key).Max();
        if (lastRed is { } red)
        {
            var redUntil = red.AddDays(_policy.RedToGreenDays);
            var tested = negativeTests.Any(t => t > red);
            var waiting = today < redUntil;
            if (waiting || !tested)
            {
                color = CodeColor.Red;
                greenAfter = redUntil;
                var zh = Values("date", Format(redUntil), "since", Format(red), "days", Days(_policy.RedToGreenDays));
                var code = (waiting, tested) switch
                {
                    (true, true) => RiskReasons.RedPendingDays,
                    (true, false) => RiskReasons.RedPendingDaysAndTest,
                    _ => RiskReasons.RedPendingTest,
                };
                reasons.Add(Reason(code, zh, zh));
            }
        }

        DateOnly? lastYellow = days
            .Where(p => p.Value == CodeColor.Yellow && (lastRed is null || p.Key > lastRed))
            .Select(p => (DateOnly?)p.Key)
            .Max();
        if (lastYellow is not null)
        {
            var streak = 0;
            while (days.TryGetValue(today.AddDays(-streak), out var dayColor) && dayColor == CodeColor.Green)
            {
                streak++;
            }

            var remaining = _policy.YellowToGreenCleanDays - streak;
            if (remaining > 0)
            {
                color = Max(color, CodeColor.Yellow);
                var yellowUntil = today.AddDays(remaining);
                greenAfter = greenAfter is { } g && g > yellowUntil ? g : yellowUntil;
                var values = Values("n", remaining.ToString(CultureInfo.InvariantCulture), "date", Format(yellowUntil));
                reasons.Add(Reason(RiskReasons.YellowPendingCleanDays, values, values));
            }
        }

        return (color, greenAfter);
    }

    private RiskReason Reason(string code, IReadOnlyDictionary<string, string>? zh, IReadOnlyDictionary<string, string>? en)
    {
        // Load-time validation guarantees every code in RiskReasons.All has texts.
        var text = _policy.Reasons[code];
        return new RiskReason(code, Fill(text.ZhCn, zh), Fill(text.En, en));
    }

    private static string Fill(string template, IReadOnlyDictionary<string, string>? values)
    {
        if (values is null)
        {
            return template;
        }

        foreach (var (name, value) in values)
        {
            template = template.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }

        return template;
    }

    private static Dictionary<string, string> Values(params string[] pairs)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < pairs.Length; i += 2)
        {
            values[pairs[i]] = pairs[i + 1];
        }

        return values;
    }

    private static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Days(int days) => days.ToString(CultureInfo.InvariantCulture);

    private static CodeColor Max(CodeColor a, CodeColor b) => a > b ? a : b;

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
}
