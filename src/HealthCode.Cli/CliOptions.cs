using System.CommandLine;
using System.Globalization;

namespace HealthCode.Cli;

/// <summary>Options the commands share in shape: a whole number within bounds, whose mistakes say the bounds.</summary>
internal static class CliOptions
{
    /// <summary>An option of a whole number between <paramref name="min"/> and <paramref name="max"/>, <paramref name="defaultValue"/> when absent.</summary>
    public static Option<int> Int(string name, int defaultValue, int min, int max, string description, string unit = "") => new(name)
    {
        Description = $"{description} ({min}-{max}{unit})",
        HelpName = "n",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                return defaultValue;
            }

            string text = result.Tokens[0].Value;
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
            {
                return value;
            }

            result.AddError($"{name} must be between {min} and {max}{unit}, not '{text}'.");
            return defaultValue;
        },
    };

    /// <summary>A list's <c>--seq</c>: a whole number, 0 or more (DESIGN §4.2: each published list has a higher one).</summary>
    public static Option<long> Seq() => new("--seq")
    {
        Description = "The list's sequence number, higher than the last published list's",
        HelpName = "n",
        Required = true,
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                return value;
            }

            result.AddError($"--seq must be a whole number, 0 or more, higher than the last published list's, not '{text}'.");
            return 0;
        },
    };

    /// <summary>
    /// A positional argument that refuses what looks like an option: <c>keys thumbprint --all</c> is a mistyped option,
    /// not a file named <c>--all</c>.
    /// </summary>
    public static Argument<T> RefuseOptions<T>(this Argument<T> argument)
    {
        argument.Validators.Add(result =>
        {
            if (result.Tokens.FirstOrDefault(t => t.Value.Length > 1 && t.Value[0] == '-') is { } token)
            {
                result.AddError($"unknown option '{token.Value}'.");
            }
        });
        return argument;
    }

    /// <summary>A required option holding one text value.</summary>
    public static Option<string> Required(string name, string helpName, string description) =>
        new(name) { Description = description, HelpName = helpName, Required = true };

    /// <summary>An optional option holding one text value.</summary>
    public static Option<string> Optional(string name, string helpName, string description) =>
        new(name) { Description = description, HelpName = helpName };
}
