namespace HealthCode.Api.Infrastructure.Auth;

/// <summary>
/// The roles of named operators (DESIGN §10), as <see cref="System.Security.Claims.ClaimTypes.Role"/> values on
/// an operator's principal: <c>admin</c> (staff, partners, keys, departments, catalogue, operators), <c>health</c>
/// (disputes, overrides), <c>auditor</c> (audit and data-use logs), <c>department:&lt;code&gt;</c> (uploads the
/// batches of that department's catalogue entries) and <c>office:&lt;region&gt;</c> (a grassroots office's area).
/// </summary>
internal static class OperatorRoles
{
    public const string Admin = "admin";
    public const string Health = "health";
    public const string Auditor = "auditor";
    public const string DepartmentPrefix = "department:";
    public const string OfficePrefix = "office:";

    /// <summary>The role of the department with this code, e.g. <c>department:CDC</c>.</summary>
    public static string Department(string code) => DepartmentPrefix + code;

    /// <summary>The role of the office of this GB/T 2260 region or prefix, e.g. <c>office:410105</c>.</summary>
    public static string Office(string region) => OfficePrefix + region;
}
