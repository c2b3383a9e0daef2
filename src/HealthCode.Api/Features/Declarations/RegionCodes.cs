using System.Collections.Frozen;
using System.Globalization;

namespace HealthCode.Api.Features.Declarations;

/// <summary>
/// GB/T 2260 administrative division codes, from the table shipped as <c>Data/regions.csv</c>
/// (embedded in the assembly).
/// </summary>
/// <remarks>
/// The table lists every province-level division (34, including 71 Taiwan, 81 Hong Kong and 82 Macau)
/// and every prefecture-level division, including the groupings GB/T 2260 gives the four
/// municipalities (110100, 500200, ...) and the province-administered county-level groups
/// (419000, 429000, 469000, 659000). It does not list the ~2,800 county-level divisions; instead a
/// county-level code is accepted when it is six digits, does not end in <c>00</c>, and its first four
/// digits name a listed prefecture-level row (<c>410105</c> exists because <c>410100</c> does). That
/// rule cannot tell a real county from an unused number under a real prefecture; it is the price of
/// not shipping (and keeping current) the county table.
/// <para>
/// Rows with status <c>retired</c> are prefecture-level codes removed from GB/T 2260 (Laiwu 371200,
/// the Beijing/Tianjin/Shanghai county groups, prefectures renamed to cities). They are not places a
/// resident can declare today, but ID numbers keep the code of the place that issued them for life,
/// so <see cref="IsKnownForIdNumber"/> still accepts them.
/// </para>
/// </remarks>
internal static class RegionCodes
{
    private const string ResourceName = "HealthCode.Api.regions.csv";

    private static readonly Lazy<FrozenDictionary<string, Row>> Table = new(LoadTable);

    private sealed record Row(string Code, string NameZh, string NameEn, bool Retired);

    /// <summary>True for a current GB/T 2260 code of any level (see the county-level rule above).</summary>
    public static bool Exists(string? code) => Resolve(code, includeRetired: false) is not null;

    /// <summary>Like <see cref="Exists"/>, but also accepts retired codes, which ID numbers still carry.</summary>
    public static bool IsKnownForIdNumber(string? code) => Resolve(code, includeRetired: true) is not null;

    /// <summary>
    /// True for a current region given as its GB/T 2260 code or the code's prefix, as an office's area is given: 2 digits
    /// (a province, <c>41</c>), 4 (a prefecture, <c>4101</c>) or 6 (any level, <c>410105</c>).
    /// </summary>
    public static bool IsAreaPrefix(string? prefix) => prefix switch
    {
        { Length: 2 } => Exists(prefix + "0000"),
        { Length: 4 } when !prefix.EndsWith("00", StringComparison.Ordinal) => Exists(prefix + "00"),
        { Length: 6 } => Exists(prefix),
        _ => false,
    };

    /// <summary>The Chinese name of a listed current province- or prefecture-level code; null otherwise
    /// (county-level codes have no name in the shipped table).</summary>
    public static string? Name(string code) =>
        Table.Value.TryGetValue(code, out var row) && !row.Retired ? row.NameZh : null;

    /// <summary>The English name of a listed current province- or prefecture-level code.</summary>
    public static string? NameEn(string code) =>
        Table.Value.TryGetValue(code, out var row) && !row.Retired ? row.NameEn : null;

    /// <summary>
    /// A display label for any current code: the name of the code itself or of its nearest listed
    /// parent, followed by the code, e.g. <c>郑州市 (410105)</c>. Falls back to the bare code.
    /// </summary>
    public static string Describe(string code, bool english)
    {
        if (Resolve(code, includeRetired: false) is not { } row)
        {
            return code;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{(english ? row.NameEn : row.NameZh)} ({code})");
    }

    /// <summary>Every current row of the table (province and prefecture level), ordered by code.</summary>
    public static IReadOnlyList<(string Code, string NameZh, string NameEn)> Current() =>
        [.. Table.Value.Values
            .Where(r => !r.Retired)
            .OrderBy(r => r.Code, StringComparer.Ordinal)
            .Select(r => (r.Code, r.NameZh, r.NameEn))];

    /// <summary>All current province-level codes (<c>XX0000</c>).</summary>
    public static IReadOnlyList<string> Provinces() =>
        [.. Table.Value.Values
            .Where(r => !r.Retired && r.Code.EndsWith("0000", StringComparison.Ordinal))
            .Select(r => r.Code)
            .Order(StringComparer.Ordinal)];

    // The row that vouches for a code: the code's own row, or for a county-level code the row of its
    // prefecture.
    private static Row? Resolve(string? code, bool includeRetired)
    {
        if (code is not { Length: 6 } || !code.All(char.IsAsciiDigit))
        {
            return null;
        }

        var table = Table.Value;
        if (table.TryGetValue(code, out var own))
        {
            return includeRetired || !own.Retired ? own : null;
        }

        if (code.EndsWith("00", StringComparison.Ordinal))
        {
            return null; // a prefecture-level code that is not in the table
        }

        var prefecture = string.Concat(code.AsSpan(0, 4), "00");
        if (prefecture.EndsWith("0000", StringComparison.Ordinal)
            || !table.TryGetValue(prefecture, out var parent)
            || (parent.Retired && !includeRetired))
        {
            return null;
        }

        return parent;
    }

    private static FrozenDictionary<string, Row> LoadTable()
    {
        using var stream = typeof(RegionCodes).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from the build.");
        using var reader = new StreamReader(stream);

        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        var header = reader.ReadLine();
        if (header is null || !header.StartsWith("code,name_zh,name_en", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{ResourceName}: unexpected header '{header}'.");
        }

        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split(',');
            if (fields.Length < 3 || fields[0].Length != 6 || !fields[0].All(char.IsAsciiDigit))
            {
                throw new InvalidDataException($"{ResourceName}: line {lineNumber} is malformed.");
            }

            var retired = fields.Length > 3 && fields[3] == "retired";
            if (!rows.TryAdd(fields[0], new Row(fields[0], fields[1], fields[2], retired)))
            {
                throw new InvalidDataException($"{ResourceName}: code {fields[0]} appears twice.");
            }
        }

        return rows.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
