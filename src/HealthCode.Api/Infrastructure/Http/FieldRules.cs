namespace HealthCode.Api.Infrastructure.Http;

/// <summary>Rules several requests share.</summary>
internal static class FieldRules
{
    public const int NameMaxLength = 50;

    /// <summary>A person's or a province's name: present, at most 50 characters once trimmed.</summary>
    public static bool IsName(string? name) => !string.IsNullOrWhiteSpace(name) && name.Trim().Length <= NameMaxLength;

    /// <summary>
    /// A text someone writes for others to read (a reason, a note, a rule id): present, at most
    /// <paramref name="maxLength"/> characters once trimmed, with no control characters (but line breaks and tabs when
    /// <paramref name="multiline"/>). The trimmed text; null with the field's error (<c>required</c>,
    /// <c>text_too_long</c> or <c>text_invalid_characters</c>) added to <paramref name="errors"/>, where
    /// <paramref name="what"/> names the text in its message ("why the fact is wrong").
    /// </summary>
    public static string? Text(string field, string? value, int maxLength, bool multiline, string what, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new FieldError(field, "required", $"Say {what}."));
            return null;
        }

        var text = value.Trim();
        if (text.Length > maxLength)
        {
            errors.Add(new FieldError(field, "text_too_long", $"Say {what} in at most {maxLength} characters."));
            return null;
        }

        if (text.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t')))
        {
            errors.Add(new FieldError(field, "text_invalid_characters", $"Say {what} without control characters{(multiline ? " (line breaks are fine)" : "")}."));
            return null;
        }

        return text;
    }

    /// <summary>A query value that must be one of <paramref name="allowed"/> when given; adds <c>{field}_invalid</c> otherwise.</summary>
    public static void OneOf(string field, string? value, IReadOnlyList<string> allowed, List<FieldError> errors)
    {
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            errors.Add(new FieldError(field, $"{field}_invalid", $"Choose one of {string.Join(", ", allowed)}, or leave '{field}' out for all."));
        }
    }

    /// <summary>A page size from the query (<c>limit</c>): 1 to <paramref name="max"/>, <paramref name="fallback"/> when absent; adds <c>limit_invalid</c> otherwise.</summary>
    public static int Limit(string? text, int fallback, int max, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) && limit is >= 1 && limit <= max)
        {
            return limit;
        }

        errors.Add(new FieldError("limit", "limit_invalid", $"Give a whole number from 1 to {max}."));
        return fallback;
    }
}
