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

/// <summary>One reason for a colour, with a stable code and its filled-in texts.</summary>
internal sealed record RiskReason(string Code, string ZhCn, string En);

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

    /// <summary>The reason code for a declared symptom: <c>symptom_</c> + the vocabulary code.</summary>
    public static string Symptom(string symptom) => "symptom_" + symptom;

    public static readonly IReadOnlyList<string> All =
    [
        ConfirmedCase, SuspectedCase, CloseContact, PositiveTest, HighRiskArea, MediumRiskArea, Fever,
        .. Symptoms.Vocabulary.Select(Symptom),
        TestRequired, YellowPendingCleanDays, RedPendingDays, RedPendingDaysAndTest, RedPendingTest,
    ];
}

/// <summary>
/// Turns a declaration and the resident's history into a colour with reasons (DESIGN §6). Pure and
/// deterministic: no clock, no I/O; the same declaration, history, date and policy give the same
/// assessment (the order of <see cref="ResidentHistory.Past"/> does not matter).
/// </summary>
/// <remarks>
/// <para>Raw colour, from today's declaration alone:</para>
/// <list type="bullet">
/// <item>red: a confirmed or suspected case, a close-contact notice, a positive last test, or a stay
/// in a high-risk area while it was designated, within the last <c>riskWindowDays</c> (the current
/// region counts as a stay today; travel stays are clipped to the window);</item>
/// <item>yellow: temperature at or above <c>feverThreshold</c>, any listed symptom, a stay in a
/// medium-risk area, or no negative test within <c>requiredTest.maxAgeDays</c> after a stay in an
/// area of a level listed in <c>requiredTest.afterLevels</c>;</item>
/// <item>green otherwise.</item>
/// </list>
/// <para>History: each day takes the worst raw colour declared on it (today included).</para>
/// <list type="bullet">
/// <item>After the last red day R the code stays red until today ≥ R + <c>redToGreenDays</c> and a
/// negative test was taken after R (a past declaration dated after R with a negative test, or
/// today's declared negative test dated after R). GreenAfter = R + <c>redToGreenDays</c>.</item>
/// <item>After the last yellow day Y (later than any red day) the code stays yellow until the
/// <c>yellowToGreenCleanDays</c> calendar days ending today each have a green declaration: a missed
/// or non-green day restarts the count. GreenAfter = today + the days still missing.</item>
/// </list>
/// <para>When both hold, the code is red and GreenAfter is the later of the two dates.</para>
/// </remarks>
internal sealed class RiskScorer(RiskPolicy policy)
{
    private readonly RiskPolicy _policy = policy ?? throw new ArgumentNullException(nameof(policy));

    public RiskAssessment Score(Declaration d, ResidentHistory history, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(history);

        var reasons = new List<RiskReason>();
        var raw = ScoreDeclaration(d, today, reasons);

        var (color, greenAfter) = ApplyHistory(d, raw, history, today, reasons);
        if (color == CodeColor.Green)
        {
            reasons.Clear();
            greenAfter = null;
        }

        return new RiskAssessment(color, raw, reasons, greenAfter, _policy.Version);
    }

    private CodeColor ScoreDeclaration(Declaration d, DateOnly today, List<RiskReason> reasons)
    {
        var color = CodeColor.Green;
        void Add(CodeColor level, string code, IReadOnlyDictionary<string, string>? zh = null, IReadOnlyDictionary<string, string>? en = null)
        {
            color = Max(color, level);
            reasons.Add(Reason(code, zh, en));
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

        var exposures = RiskAreaExposures(d, today);
        foreach (var (region, level) in exposures)
        {
            Add(
                level == RiskLevel.High ? CodeColor.Red : CodeColor.Yellow,
                level == RiskLevel.High ? RiskReasons.HighRiskArea : RiskReasons.MediumRiskArea,
                Values("region", RegionCodes.Describe(region, english: false), "days", Days(_policy.RiskWindowDays)),
                Values("region", RegionCodes.Describe(region, english: true), "days", Days(_policy.RiskWindowDays)));
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

        var rule = _policy.RequiredTest;
        if (exposures.Any(e => rule.AfterLevels.Contains(e.Level)) && !HasRecentNegativeTest(d, today, rule.MaxAgeDays))
        {
            var values = Values("n", rule.MaxAgeDays.ToString(CultureInfo.InvariantCulture));
            Add(CodeColor.Yellow, RiskReasons.TestRequired, values, values);
        }

        return color;
    }

    // The worst level of risk area each declared region (current or travelled) was in while it was
    // designated, in declaration order, one entry per region.
    private List<(string Region, RiskLevel Level)> RiskAreaExposures(Declaration d, DateOnly today)
    {
        var windowStart = today.AddDays(-_policy.RiskWindowDays);
        var stays = new List<(string Region, DateOnly From, DateOnly To)>();
        if (!string.IsNullOrEmpty(d.Region))
        {
            stays.Add((d.Region, today, today));
        }

        foreach (var entry in d.Travel ?? [])
        {
            if (entry?.Region is not { Length: > 0 } region)
            {
                continue;
            }

            // Missing dates (rejected by the validator) widen the stay to the whole window: the
            // scorer errs towards risk rather than ignore a declared stay.
            var from = Max(entry.From ?? windowStart, windowStart);
            var to = Min(entry.To ?? today, today);
            if (from <= to)
            {
                stays.Add((region, from, to));
            }
        }

        var exposures = new List<(string Region, RiskLevel Level)>();
        foreach (var (region, from, to) in stays)
        {
            RiskLevel? worst = null;
            foreach (var area in _policy.RiskAreas)
            {
                if (area.Contains(region) && area.InForceDuring(from, to) && (worst is null || area.Level > worst))
                {
                    worst = area.Level;
                }
            }

            if (worst is not { } level)
            {
                continue;
            }

            var existing = exposures.FindIndex(e => e.Region == region);
            if (existing < 0)
            {
                exposures.Add((region, level));
            }
            else if (level > exposures[existing].Level)
            {
                exposures[existing] = (region, level);
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

    private (CodeColor Color, DateOnly? GreenAfter) ApplyHistory(
        Declaration d, CodeColor raw, ResidentHistory history, DateOnly today, List<RiskReason> reasons)
    {
        // Worst colour per day; declarations dated after today (clock trouble) are ignored.
        var days = new Dictionary<DateOnly, CodeColor> { [today] = raw };
        var negativeTests = new List<DateOnly>();
        foreach (var past in history.Past ?? [])
        {
            if (past is null || past.Date > today)
            {
                continue;
            }

            days[past.Date] = days.TryGetValue(past.Date, out var seen) ? Max(seen, past.RawColor) : past.RawColor;
            if (past.NegativeTest)
            {
                negativeTests.Add(past.Date);
            }
        }

        if (NegativeTestDate(d, today) is { } todaysTest)
        {
            negativeTests.Add(todaysTest);
        }

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
