using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace HealthCode.Api.Infrastructure.Settings;

/// <summary>
/// Bad settings stop the service with one line each, naming the setting as it is configured
/// (<c>HealthCode:Codes:TokenLifetime</c>, or <c>HealthCode__Codes__TokenLifetime</c> in the environment), the range it
/// must be in and what it was given; an operator reads that line in a deployment log without a stack trace around it
/// (STYLE habit 6: options are validated at start-up).
/// </summary>
/// <remarks>
/// <c>ValidateDataAnnotations</c> reports a member path relative to its options class, in words meant for developers;
/// this reads the same attributes again on a fresh binding of the section, where the configuration path is known. When
/// it finds nothing (a rule that is not an attribute), the validator's own words are kept.
/// </remarks>
internal static class SettingsProblems
{
    /// <summary>The one-line problems behind a start-up failure, or null when it is not about settings.</summary>
    public static IReadOnlyList<string>? Describe(Exception exception, IConfiguration configuration) => exception switch
    {
        OptionsValidationException invalid => Describe(invalid, configuration),
        SettingException setting => [setting.Message],
        // A value the binder cannot read at all, e.g. "five minutes" for a TimeSpan: its message names the setting.
        InvalidOperationException { InnerException: not null } bind when bind.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal)
            => [bind.Message],
        _ => null,
    };

    private static List<string> Describe(OptionsValidationException invalid, IConfiguration configuration)
    {
        if (invalid.OptionsType.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is not string section)
        {
            return [.. invalid.Failures];
        }

        object options = configuration.GetSection(section).Get(invalid.OptionsType) ?? Activator.CreateInstance(invalid.OptionsType)!;
        var problems = new List<string>();
        Check(options, section, problems, depth: 0);
        return problems.Count > 0 ? problems : [.. invalid.Failures];
    }

    /// <summary>Checks the validation attributes of <paramref name="instance"/>'s properties, and of the members it asks to be validated.</summary>
    private static void Check(object instance, string path, List<string> problems, int depth)
    {
        // Options classes nest a few levels; the bound guards against a cycle rather than limiting any real class.
        if (depth > 8)
        {
            return;
        }

        foreach (PropertyInfo property in instance.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanRead || property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            object? value = property.GetValue(instance);
            string name = $"{path}:{property.Name}";
            var context = new ValidationContext(instance) { MemberName = property.Name };
            foreach (ValidationAttribute rule in property.GetCustomAttributes<ValidationAttribute>())
            {
                if (rule.GetValidationResult(value, context) is { } failed)
                {
                    problems.Add(Sentence(name, rule, value, failed));
                }
            }

            if (value is null)
            {
                continue;
            }

            if (property.IsDefined(typeof(ValidateObjectMembersAttribute)))
            {
                Check(value, name, problems, depth + 1);
            }
            else if (property.IsDefined(typeof(ValidateEnumeratedItemsAttribute)) && value is IEnumerable items)
            {
                int index = 0;
                foreach (object? item in items)
                {
                    if (item is not null)
                    {
                        Check(item, $"{name}:{index}", problems, depth + 1);
                    }

                    index++;
                }
            }
        }

        if (instance is IValidatableObject validatable)
        {
            foreach (ValidationResult failed in validatable.Validate(new ValidationContext(instance)))
            {
                string member = failed.MemberNames.FirstOrDefault() is { } first ? $"{path}:{first}" : path;
                problems.Add($"{member}: {failed.ErrorMessage}");
            }
        }
    }

    /// <summary>
    /// One sentence for a broken rule. Numbers, durations and codes are shown as given; other text is not, since a
    /// setting may hold a secret (an operator key).
    /// </summary>
    private static string Sentence(string name, ValidationAttribute rule, object? value, ValidationResult failed) => rule switch
    {
        RequiredAttribute => $"{name} is required.",
        RangeAttribute range => $"{name} must be between {Text(range.Minimum)} and {Text(range.Maximum)} (got {Text(value)}).",
        RegularExpressionAttribute pattern => $"{name} must match {pattern.Pattern} (got \"{value}\").",
        StringLengthAttribute length =>
            $"{name} must be {length.MinimumLength} to {length.MaximumLength} characters long (got {(value as string)?.Length ?? 0}).",
        _ => $"{name}: {failed.ErrorMessage}",
    };

    private static string Text(object? value) => value switch
    {
        null => "nothing",
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
