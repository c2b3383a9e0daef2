namespace HealthCode.Api.Features.Declarations;

/// <summary>
/// Calendar dates as the province counts them. China keeps one time zone, UTC+08:00 (China Standard
/// Time, no daylight saving), so a fixed offset is exact and needs no tz database on the host.
/// </summary>
internal static class ChinaTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    /// <summary>
    /// The China Standard Time calendar date of an instant. An instant in the last hours of year 9999 UTC is already
    /// in year 10000 in China, a date no calendar type holds: it counts as the last date there is (so "in the future").
    /// </summary>
    public static DateOnly DateOf(DateTimeOffset instant) => instant.UtcDateTime > DateTime.MaxValue - Offset
        ? DateOnly.MaxValue
        : DateOnly.FromDateTime(instant.UtcDateTime + Offset);

    /// <summary>Today's date where the residents are; instants stay in UTC everywhere else.</summary>
    public static DateOnly Today(this TimeProvider time) => DateOf(time.GetUtcNow());
}
