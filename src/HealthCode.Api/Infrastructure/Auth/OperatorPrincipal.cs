using System.Security.Claims;
using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Infrastructure.Auth;

/// <summary>
/// Who an operator request comes from, as the operator scheme puts it on the principal: <see cref="OperatorIdClaim"/>,
/// <see cref="ClaimTypes.Name"/> and one <see cref="ClaimTypes.Role"/> per role (<see cref="OperatorRoles"/>). Endpoints
/// and handlers read it through these extensions, e.g. a department's upload checks
/// <c>user.HasRole(OperatorRoles.Department(entry.Provider))</c> and answers <see cref="OperatorPolicies.RoleRequired"/>.
/// </summary>
internal static class OperatorPrincipal
{
    public const string OperatorIdClaim = "operator_id";

    /// <summary>Present (<c>true</c>) only on the configured key's principal.</summary>
    public const string BootstrapClaim = "operator_bootstrap";

    /// <summary>The configured key's operator id and name, in the audit and as <c>createdBy</c>.</summary>
    public const string BootstrapName = "bootstrap";

    /// <summary>The configured key (DESIGN §10: it only bootstraps): an admin, named <c>bootstrap</c>.</summary>
    public static Claim[] Bootstrap() =>
    [
        new(OperatorIdClaim, BootstrapName),
        new(ClaimTypes.Name, BootstrapName),
        new(ClaimTypes.Role, OperatorRoles.Admin),
        new(BootstrapClaim, "true"),
    ];

    /// <summary>A named operator: their account's id, name and roles.</summary>
    public static Claim[] Claims(OperatorRecord account) =>
    [
        new(OperatorIdClaim, account.Id),
        new(ClaimTypes.Name, account.Name),
        .. account.Roles.Select(role => new Claim(ClaimTypes.Role, role)),
    ];

    public static string OperatorId(this ClaimsPrincipal user) =>
        user.FindFirstValue(OperatorIdClaim) ?? throw new InvalidOperationException("The endpoint must require an operator policy.");

    public static string OperatorName(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.Name) ?? throw new InvalidOperationException("The endpoint must require an operator policy.");

    /// <summary>True when the caller used the configured key rather than a named operator's token.</summary>
    public static bool IsBootstrapKey(this ClaimsPrincipal user) => user.HasClaim(BootstrapClaim, "true");

    /// <summary>True when the caller holds exactly <paramref name="role"/> (ordinal: <c>department:CDC</c> is not <c>department:cdc</c>).</summary>
    public static bool HasRole(this ClaimsPrincipal user, string role) =>
        user.Claims.Any(c => c.Type == ClaimTypes.Role && string.Equals(c.Value, role, StringComparison.Ordinal));

    /// <summary>True when the caller holds <c>department:&lt;code&gt;</c>.</summary>
    public static bool IsDepartment(this ClaimsPrincipal user, string code) => user.HasRole(OperatorRoles.Department(code));

    /// <summary>The regions of the caller's <c>office:&lt;region&gt;</c> roles (GB/T 2260 codes or prefixes).</summary>
    public static IReadOnlyList<string> OfficeRegions(this ClaimsPrincipal user) => user.RoleSuffixes(OperatorRoles.OfficePrefix);

    /// <summary>The codes of the caller's <c>department:&lt;code&gt;</c> roles.</summary>
    public static IReadOnlyList<string> DepartmentCodes(this ClaimsPrincipal user) => user.RoleSuffixes(OperatorRoles.DepartmentPrefix);

    private static IReadOnlyList<string> RoleSuffixes(this ClaimsPrincipal user, string prefix) =>
        [.. user.FindAll(ClaimTypes.Role).Select(c => c.Value)
            .Where(r => r.StartsWith(prefix, StringComparison.Ordinal))
            .Select(r => r[prefix.Length..])];

    /// <summary>The caller as the audit names them.</summary>
    public static AuditActor AuditActor(this ClaimsPrincipal user) => new(user.OperatorId(), user.OperatorName());
}
