using System.Globalization;

namespace HealthCode.Api.Infrastructure.Http;

/// <summary>
/// An instant in a query string, in ISO 8601 as RFC 3339 profiles it: a date and time with an optional fraction and a
/// zone (<c>Z</c> or <c>±hh:mm</c>; none means UTC), or a date alone (midnight UTC).
/// </summary>
internal static class QueryInstant
{
    private static readonly string[] Formats = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd"];

    /// <summary>The instant in <paramref name="text"/>; null when it is absent, or invalid and then named in <paramref name="errors"/>.</summary>
    public static DateTimeOffset? Parse(string field, string? text, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant;
        }

        // A '+' left unescaped in a URL query reads as a space (HTML form encoding), so +08:00 arrives as " 08:00".
        errors.Add(new FieldError(field, "datetime_invalid", text.Contains(' ', StringComparison.Ordinal)
            ? $"'{field}' has a space: write the '+' of a time zone offset as %2B, e.g. 2026-11-28T08:00:00%2B08:00."
            : $"Give '{field}' as an ISO 8601 date and time, e.g. 2026-11-28T08:00:00Z, 2026-11-28T08:00:00%2B08:00 or 2026-11-28."));
        return null;
    }

    /// <summary>The problem of a range whose <c>from</c> is after its <c>to</c>.</summary>
    public static ApiProblem RangeInvalid { get; } = new(StatusCodes.Status400BadRequest, "validation_failed", "'from' must be before 'to'.",
        Errors: [new FieldError("from", "range_invalid", "Choose a 'from' earlier than 'to'.")]);
}
