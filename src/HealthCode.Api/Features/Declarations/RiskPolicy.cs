using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;

namespace HealthCode.Api.Features.Declarations;

/// <summary>
/// Risk level of a designated area (DESIGN §6). <see cref="Low"/> comes only from a department's batch (DESIGN §9): a
/// region designated low carries no risk, and lifts the policy file's designation of it for those days.
/// </summary>
internal enum RiskLevel
{
    Low,
    Medium,
    High,
}

/// <summary>
/// A designated risk area. <see cref="Prefix"/> is the region code with its trailing zero pairs
/// dropped, so <c>420100</c> in the file designates all of Wuhan (prefix <c>4201</c>), <c>420106</c>
/// only Wuchang district, and <c>42</c> or <c>420000</c> all of Hubei. A declared region lies in the
/// area when its code starts with the prefix; a stay declared only at a coarser level (the city,
/// for a district area) does not match. <see cref="To"/> null means the designation is still in force.
/// </summary>
internal sealed record RiskArea(string Region, string Prefix, RiskLevel Level, DateOnly From, DateOnly? To)
{
    /// <summary>The area of a region code or prefix: <see cref="Prefix"/> is the code without its trailing zero pairs.</summary>
    public static RiskArea Of(string region, RiskLevel level, DateOnly from, DateOnly? to) => new(region, PrefixOf(region), level, from, to);

    /// <summary><c>420100</c> → <c>4201</c>, <c>420000</c> → <c>42</c>, <c>420106</c> stays itself.</summary>
    public static string PrefixOf(string region)
    {
        var prefix = region;
        while (prefix.Length > 2 && prefix.EndsWith("00", StringComparison.Ordinal))
        {
            prefix = prefix[..^2];
        }

        return prefix;
    }

    public bool Contains(string regionCode) => regionCode.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>True when the designation was in force on some day of [from, to].</summary>
    public bool InForceDuring(DateOnly from, DateOnly to) => From <= to && (To is null || To >= from);
}

/// <summary>
/// The test required after a stay in a risk area: a negative test whose sample was taken no more
/// than <see cref="MaxAgeDays"/> calendar days before today (China Standard Time), i.e. the 2020
/// "72-hour negative test" at day granularity: with 3, a test from today or the 3 previous days counts.
/// </summary>
internal sealed record RequiredTestRule(IReadOnlyList<RiskLevel> AfterLevels, int MaxAgeDays);

/// <summary>Text of a reason in both languages; may contain placeholders the scorer fills.</summary>
internal sealed record ReasonText(string ZhCn, string En);

/// <summary>
/// The province's versioned risk policy (DESIGN §6), read from JSON. See
/// <c>Policy/risk-policy.v1.json</c> for the format. Validation is complete at load time, so a
/// bad file stops the service from booting instead of failing the first declaration.
/// </summary>
internal sealed class RiskPolicy
{
    private RiskPolicy(
        string version,
        decimal feverThreshold,
        int riskWindowDays,
        IReadOnlyList<RiskArea> riskAreas,
        RequiredTestRule requiredTest,
        int yellowToGreenCleanDays,
        int redToGreenDays,
        FrozenDictionary<string, ReasonText> reasons)
    {
        Version = version;
        FeverThreshold = feverThreshold;
        RiskWindowDays = riskWindowDays;
        RiskAreas = riskAreas;
        RequiredTest = requiredTest;
        YellowToGreenCleanDays = yellowToGreenCleanDays;
        RedToGreenDays = redToGreenDays;
        Reasons = reasons;
    }

    public string Version { get; }

    /// <summary>A temperature at or above this (°C) is a fever.</summary>
    public decimal FeverThreshold { get; }

    /// <summary>How many days back a stay in a risk area counts (today minus this, inclusive).</summary>
    public int RiskWindowDays { get; }

    public IReadOnlyList<RiskArea> RiskAreas { get; }

    public RequiredTestRule RequiredTest { get; }

    public int YellowToGreenCleanDays { get; }

    public int RedToGreenDays { get; }

    public IReadOnlyDictionary<string, ReasonText> Reasons { get; }

    /// <summary>Reads and validates a policy file.</summary>
    /// <exception cref="InvalidDataException">The file is missing, not JSON, or breaks a rule; the
    /// message names the file and the offending property.</exception>
    public static RiskPolicy Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"Risk policy '{path}' cannot be read: {e.Message}", e);
        }

        return Parse(json, path);
    }

    /// <summary>Parses and validates policy JSON; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The JSON is malformed or breaks a rule.</exception>
    public static RiskPolicy Parse(string json, string source = "(inline)")
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
            return FromJson(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Risk policy '{source}' is not valid JSON: {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Risk policy '{source}' is invalid: {e.Message}", e);
        }
    }

    private static RiskPolicy FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("the document must be a JSON object.");
        }

        var version = RequiredString(root, "version");
        var fever = RequiredDecimal(root, "feverThreshold");
        if (fever is < 35m or > 42m)
        {
            throw new InvalidDataException("feverThreshold must be a temperature in °C between 35 and 42.");
        }

        var window = RequiredDays(root, "riskWindowDays");
        var clean = RequiredDays(root, "yellowToGreenCleanDays");
        var red = RequiredDays(root, "redToGreenDays");
        var areas = ReadAreas(root);
        var requiredTest = ReadRequiredTest(root);
        var reasons = ReadReasons(root);

        return new RiskPolicy(version, fever, window, areas, requiredTest, clean, red, reasons);
    }

    private static List<RiskArea> ReadAreas(JsonElement root)
    {
        var areas = new List<RiskArea>();
        if (!root.TryGetProperty("riskAreas", out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return areas;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("riskAreas must be an array.");
        }

        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"riskAreas[{i++}]");
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path} must be an object.");
            }

            var region = RequiredString(item, "region", path);
            if (region.Length is not (2 or 4 or 6) || !region.All(char.IsAsciiDigit))
            {
                throw new InvalidDataException($"{path}.region must be a 2-, 4- or 6-digit GB/T 2260 code or prefix.");
            }

            var level = RequiredString(item, "level", path) switch
            {
                "high" => RiskLevel.High,
                "medium" => RiskLevel.Medium,
                _ => throw new InvalidDataException($"{path}.level must be 'high' or 'medium'."),
            };
            var from = RequiredDate(item, "from", path);
            DateOnly? to = item.TryGetProperty("to", out var toElement) && toElement.ValueKind != JsonValueKind.Null
                ? ParseDate(toElement, $"{path}.to")
                : null;
            if (to < from)
            {
                throw new InvalidDataException($"{path}.to is before {path}.from.");
            }

            areas.Add(RiskArea.Of(region, level, from, to));
        }

        return areas;
    }

    private static RequiredTestRule ReadRequiredTest(JsonElement root)
    {
        if (!root.TryGetProperty("requiredTest", out var rule) || rule.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("requiredTest is missing (an object with afterLevels and maxAgeDays).");
        }

        if (!rule.TryGetProperty("afterLevels", out var levels) || levels.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("requiredTest.afterLevels must be an array of 'high' and/or 'medium'.");
        }

        var parsed = new List<RiskLevel>();
        foreach (var level in levels.EnumerateArray())
        {
            parsed.Add(level.ValueKind == JsonValueKind.String ? level.GetString() switch
            {
                "high" => RiskLevel.High,
                "medium" => RiskLevel.Medium,
                _ => throw new InvalidDataException("requiredTest.afterLevels may contain only 'high' and 'medium'."),
            } : throw new InvalidDataException("requiredTest.afterLevels may contain only 'high' and 'medium'."));
        }

        return new RequiredTestRule(parsed.Distinct().ToList(), RequiredDays(rule, "maxAgeDays", "requiredTest"));
    }

    private static FrozenDictionary<string, ReasonText> ReadReasons(JsonElement root)
    {
        if (!root.TryGetProperty("reasons", out var reasons) || reasons.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("reasons is missing (an object of reason code to {\"zh-CN\", \"en\"} texts).");
        }

        var texts = new Dictionary<string, ReasonText>(StringComparer.Ordinal);
        foreach (var reason in reasons.EnumerateObject())
        {
            var path = $"reasons.{reason.Name}";
            if (reason.Value.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path} must be an object with zh-CN and en texts.");
            }

            texts[reason.Name] = new ReasonText(
                RequiredString(reason.Value, "zh-CN", path),
                RequiredString(reason.Value, "en", path));
        }

        var missing = RiskReasons.All.Where(code => !texts.ContainsKey(code)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"reasons lacks texts for: {string.Join(", ", missing)}.");
        }

        return texts.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string RequiredString(JsonElement obj, string name, string? parent = null)
    {
        var path = parent is null ? name : $"{parent}.{name}";
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String
            || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw new InvalidDataException($"{path} is missing or empty (a string is required).");
        }

        return value.GetString()!;
    }

    private static decimal RequiredDecimal(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number)
        {
            throw new InvalidDataException($"{name} is missing (a number is required).");
        }

        return value.GetDecimal();
    }

    private static int RequiredDays(JsonElement obj, string name, string? parent = null)
    {
        var path = parent is null ? name : $"{parent}.{name}";
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number
            || !value.TryGetInt32(out var days) || days is < 1 or > 366)
        {
            throw new InvalidDataException($"{path} must be a whole number of days between 1 and 366.");
        }

        return days;
    }

    private static DateOnly RequiredDate(JsonElement obj, string name, string parent)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            throw new InvalidDataException($"{parent}.{name} is missing (a yyyy-MM-dd date is required).");
        }

        return ParseDate(value, $"{parent}.{name}");
    }

    private static DateOnly ParseDate(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.String
        && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new InvalidDataException($"{path} must be a yyyy-MM-dd date.");
}
