namespace HealthCode.Cli;

/// <summary>
/// The options of one command, parsed by hand: <c>--name value</c> options (each at most once, or repeatable),
/// <c>--flag</c> switches and positional arguments. Anything else is a usage error.
/// </summary>
internal sealed class CommandArgs
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private CommandArgs()
    {
    }

    public List<string> Positional { get; } = [];

    /// <summary>Parses <paramref name="args"/>; <paramref name="error"/> says what is wrong when it returns null.</summary>
    public static CommandArgs? Parse(
        string[] args, IReadOnlyCollection<string> options, IReadOnlyCollection<string> flags, out string? error,
        IReadOnlyCollection<string>? repeatable = null)
    {
        error = null;
        var parsed = new CommandArgs();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (flags.Contains(arg))
            {
                if (!parsed._flags.Add(arg))
                {
                    error = $"{arg} is given twice.";
                    return null;
                }
            }
            else if (options.Contains(arg) || (repeatable?.Contains(arg) ?? false))
            {
                if (i + 1 >= args.Length)
                {
                    error = $"{arg} needs a value.";
                    return null;
                }

                List<string> values = parsed._values.TryGetValue(arg, out List<string>? list) ? list : parsed._values[arg] = [];
                if (values.Count > 0 && !(repeatable?.Contains(arg) ?? false))
                {
                    error = $"{arg} is given twice.";
                    return null;
                }

                values.Add(args[++i]);
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                error = $"unknown option \"{arg}\".";
                return null;
            }
            else
            {
                parsed.Positional.Add(arg);
            }
        }

        return parsed;
    }

    public string? Value(string option) => _values.TryGetValue(option, out List<string>? values) ? values[0] : null;

    public IReadOnlyList<string> Values(string option) => _values.TryGetValue(option, out List<string>? values) ? values : [];

    public bool Flag(string flag) => _flags.Contains(flag);

    /// <summary>An integer option within bounds, or its default when absent; false when present but not a number in range.</summary>
    public bool TryInt(string option, int defaultValue, int min, int max, out int value)
    {
        string? text = Value(option);
        if (text is null)
        {
            value = defaultValue;
            return true;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value)
            && value >= min && value <= max;
    }
}
