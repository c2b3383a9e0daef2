using System.Security.Claims;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Features.Offices;

/// <summary>
/// A grassroots office's area (DESIGN §10): the GB/T 2260 codes or prefixes of the operator's <c>office:&lt;region&gt;</c>
/// roles. A person is in an area when the region of their latest declaration starts with it: <c>office:410105</c> sees
/// 410105, <c>office:4101</c> all of Zhengzhou. A request may narrow the area (<c>?region=</c>) but never widen it: a
/// region outside every office of the operator is refused as a role the operator lacks, before anything is read.
/// </summary>
internal static class OfficeAreas
{
    /// <summary>How <see cref="OperatorPolicies.RoleRequired"/> names the role an office endpoint needs.</summary>
    public const string AnyOffice = OperatorRoles.OfficePrefix + "<region>";

    /// <summary>
    /// The caller's offices. Only prefixes that are real areas count: a stored role that is not (an empty
    /// <c>office:</c>, which every region would start with) grants nothing, whatever put it there.
    /// </summary>
    public static IReadOnlyList<string> Offices(this ClaimsPrincipal user) =>
        [.. user.OfficeRegions().Where(RegionCodes.IsAreaPrefix).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>Names <c>region</c> in <paramref name="errors"/> when it is given and is not an area (2, 4 or 6 digits of a known region).</summary>
    public static void Validate(string? region, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(region))
        {
            return;
        }

        if (region.Length is not (2 or 4 or 6) || !region.All(char.IsAsciiDigit))
        {
            errors.Add(new FieldError("region", "region_invalid_format",
                "Give the region as a GB/T 2260 code or prefix: 2 digits (a province), 4 (a prefecture) or 6, e.g. 410105."));
        }
        else if (!RegionCodes.IsAreaPrefix(region))
        {
            errors.Add(new FieldError("region", "region_unknown", $"{region} is not a known GB/T 2260 region or prefix."));
        }
    }

    /// <summary>
    /// The areas a request covers: the (valid) region asked for when one of <paramref name="offices"/> contains it, else
    /// 403 <c>role_required</c> naming the office role that would; without a region, every office of the operator.
    /// </summary>
    public static Result<IReadOnlyList<string>> Scope(IReadOnlyList<string> offices, string? region)
    {
        if (string.IsNullOrEmpty(region))
        {
            return Result<IReadOnlyList<string>>.From(offices);
        }

        return OfficeOf(offices, region) is null
            ? OperatorPolicies.RoleRequired(OperatorRoles.Office(region))
            : Result<IReadOnlyList<string>>.From([region]);
    }

    /// <summary>The most specific of <paramref name="offices"/> that contains <paramref name="region"/>; null when none does.</summary>
    public static string? OfficeOf(IReadOnlyList<string> offices, string region) =>
        offices.Where(o => region.StartsWith(o, StringComparison.Ordinal)).MaxBy(o => o.Length);

    /// <summary>
    /// The codes that start with <paramref name="prefix"/>, as a range an index serves: [prefix, prefix + ':'), ':' being
    /// the character after '9'. Regions are digits only, so nothing else falls in it.
    /// </summary>
    public static (string From, string To) Range(string prefix) => (prefix, prefix + ":");

    /// <summary>
    /// The area as people call it: the name of its province or prefecture, or, for a county-level code (the shipped
    /// table names no counties, see <see cref="RegionCodes"/>), the name of its prefecture.
    /// </summary>
    public static AreaName Name(string prefix)
    {
        var code = prefix.Length switch
        {
            2 => prefix + "0000",
            4 => prefix + "00",
            _ => prefix,
        };
        if (RegionCodes.Name(code) is null && code.Length == 6 && !code.EndsWith("00", StringComparison.Ordinal))
        {
            code = string.Concat(code.AsSpan(0, 4), "00");
        }

        return new AreaName(prefix, RegionCodes.Name(code), RegionCodes.NameEn(code));
    }
}

/// <summary>An area's code (or prefix) and its name in Chinese and English (null when the table has none).</summary>
internal sealed record AreaName(string Region, string? Name, string? NameEn);

/// <summary>
/// Lets only office operators through the office endpoints: any other operator (admin, health, auditor, a department,
/// the bootstrap key) is answered 403 <c>role_required</c> naming <c>office:&lt;region&gt;</c>, before the endpoint reads
/// anything.
/// </summary>
internal sealed class OfficeRoleFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.User.Offices().Count == 0
            ? OperatorPolicies.RoleRequired(OfficeAreas.AnyOffice).ToResult()
            : await next(context);
}
