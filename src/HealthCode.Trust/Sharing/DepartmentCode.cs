namespace HealthCode.Trust.Sharing;

/// <summary>A department's code (DESIGN §9): <c>CDC</c>, <c>GA</c>, <c>WJW</c>, <c>JT</c>, <c>LAB-01</c>.</summary>
public static class DepartmentCode
{
    /// <summary>The longest code.</summary>
    public const int MaxLength = 32;

    /// <summary>
    /// Whether <paramref name="code"/> is 1–32 ASCII capital letters, digits and '-', starting and ending with a letter or
    /// digit. The code names key files (<c>&lt;code&gt;.private.jwk</c>) and the role <c>department:&lt;code&gt;</c>, so it
    /// never holds a path separator, a dot or a colon.
    /// </summary>
    /// <param name="code">The text to check; null is not a code.</param>
    /// <returns>True for a well-formed code.</returns>
    public static bool IsValid(string? code) =>
        code is { Length: > 0 and <= MaxLength }
        && code.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '-')
        && code[0] != '-' && code[^1] != '-';
}
