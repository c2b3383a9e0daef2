namespace HealthCode.Api.Infrastructure.Http;

/// <summary>Rules several requests share.</summary>
internal static class FieldRules
{
    public const int NameMaxLength = 50;

    /// <summary>A person's or a province's name: present, at most 50 characters once trimmed.</summary>
    public static bool IsName(string? name) => !string.IsNullOrWhiteSpace(name) && name.Trim().Length <= NameMaxLength;
}
