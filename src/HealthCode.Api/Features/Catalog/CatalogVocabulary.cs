using System.Text.RegularExpressions;
using HealthCode.Trust.Sharing;

namespace HealthCode.Api.Features.Catalog;

/// <summary>
/// The words and codes of the sharing catalogue (DESIGN §9): department codes, entry codes, the kinds the scorer
/// understands and the sharing types of the 政务信息资源目录编制指南 (无条件共享, 有条件共享, 不予共享).
/// </summary>
internal static partial class CatalogVocabulary
{
    public const string SharingUnconditional = "unconditional";
    public const string SharingConditional = "conditional";
    public const string SharingNone = "none";

    /// <summary>The only exchange method so far: signed batches (DESIGN §9 "Batches").</summary>
    public const string MethodBatch = "batch";

    /// <summary>The kinds of data the scorer understands (<see cref="Sharing.FactKinds"/>).</summary>
    public static readonly IReadOnlyList<string> Kinds = [.. Sharing.FactKinds.All.Select(k => k.Name)];

    public static readonly IReadOnlyList<string> SharingTypes = [SharingUnconditional, SharingConditional, SharingNone];

    /// <summary>
    /// A department code (<c>CDC</c>, <c>GA</c>, <c>JT</c>, <c>LAB-01</c>) as <see cref="DepartmentCode.IsValid"/> has
    /// it (capitals, digits and hyphens, starting and ending with a letter or digit), and at most 16 characters here.
    /// Capitals only, so that one department has one spelling in entry codes and in the <c>department:&lt;code&gt;</c> role.
    /// </summary>
    public static bool IsDepartmentCode(string? code) => DepartmentCode.IsValid(code) && code!.Length <= 16;

    /// <summary>
    /// Splits an entry code <c>&lt;province&gt;-&lt;provider&gt;-&lt;nnn&gt;</c> (<c>410000-CDC-002</c>,
    /// <c>410000-LAB-01-001</c>): the 6-digit GB/T 2260 code of the province that publishes the catalogue, the
    /// providing department's code, and a 3-digit serial of that department's entries. The code says who answers for
    /// the data (谁提供、谁负责) before anything else is read.
    /// </summary>
    public static bool TrySplitEntryCode(string? code, out string province, out string provider)
    {
        (province, provider) = ("", "");
        if (code is null || EntryCode().Match(code) is not { Success: true } match || !IsDepartmentCode(match.Groups[2].Value))
        {
            return false;
        }

        (province, provider) = (match.Groups[1].Value, match.Groups[2].Value);
        return true;
    }


    [GeneratedRegex(@"^([0-9]{6})-([A-Z0-9-]{1,16})-([0-9]{3})\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex EntryCode();
}
