using System.Globalization;

namespace HealthCode.BatchBench;

/// <summary>The <c>--name value</c> pairs of a command line; a missing or malformed one stops the command with its name.</summary>
internal sealed class Args(string[] args)
{
    public string Text(string name, string? fallback = null)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1]
            : fallback ?? throw new ArgumentException($"{name} is required");
    }

    public int Int(string name, int min, int max, int? fallback = null)
    {
        var text = Text(name, fallback?.ToString(CultureInfo.InvariantCulture));
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name} must be a whole number from {min} to {max}");
    }
}
