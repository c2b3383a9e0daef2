using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;

namespace HealthCode.Api.Features.Catalog;

/// <summary>Why an <c>updateCycle</c> was refused, if it was.</summary>
internal enum UpdateCycleError
{
    None,
    Required,
    Invalid,
    Ambiguous,
    OutOfRange,
}

/// <summary>
/// A catalogue entry's update cycle (DESIGN §9, 更新周期): an ISO 8601 duration (ISO 8601-1:2019 §5.5.2) of a
/// fixed length, so that "late" means the same thing on every day of the year.
/// </summary>
/// <remarks>
/// Accepted: days, hours, minutes and seconds (<c>P1D</c>, <c>PT6H</c>, <c>P1DT12H</c>), read by
/// <see cref="XmlConvert.ToTimeSpan(string)"/> (the xs:duration lexical form, XML Schema 1.1 Part 2 §3.3.6), and
/// weeks (<c>P1W</c>, <c>P2W</c>), which ISO 8601 allows alone and xs:duration lacks. Refused: years and months
/// (<c>P1M</c>, <c>P1Y</c>), whose length depends on the calendar (XmlConvert would count a month as 30 days and
/// a year as 365 without saying so; write <c>P30D</c> or <c>P365D</c>), negative and zero durations, and cycles
/// shorter than <see cref="Shortest"/> (a batch cadence, not a stream) or longer than <see cref="Longest"/>.
/// </remarks>
internal static partial class UpdateCycles
{
    public static readonly TimeSpan Shortest = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan Longest = TimeSpan.FromDays(3650);

    public static UpdateCycleError TryParse(string? text, out TimeSpan cycle)
    {
        cycle = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return UpdateCycleError.Required;
        }

        text = text.Trim();
        if (Weeks().Match(text) is { Success: true } weeks)
        {
            cycle = TimeSpan.FromDays(7 * int.Parse(weeks.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture));
        }
        else
        {
            try
            {
                cycle = XmlConvert.ToTimeSpan(text);
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                return UpdateCycleError.Invalid;
            }

            var datePart = text.Split('T')[0];
            if (datePart.Contains('Y', StringComparison.Ordinal) || datePart.Contains('M', StringComparison.Ordinal))
            {
                return UpdateCycleError.Ambiguous;
            }
        }

        return cycle < Shortest || cycle > Longest ? UpdateCycleError.OutOfRange : UpdateCycleError.None;
    }

    /// <summary>The cycle of a stored entry; null when it does not parse (written around the API).</summary>
    public static TimeSpan? Of(string text) => TryParse(text, out var cycle) == UpdateCycleError.None ? cycle : null;

    [GeneratedRegex(@"^P([0-9]{1,4})W\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Weeks();
}
