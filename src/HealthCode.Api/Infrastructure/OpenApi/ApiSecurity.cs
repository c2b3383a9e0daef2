using HealthCode.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HealthCode.Api.Infrastructure.OpenApi;

/// <summary>
/// The bearer schemes of the service (RFC 6750; <c>Infrastructure/Auth</c>) and the <c>security</c> of each operation,
/// read from its authorization policies and <see cref="CallerRoles"/>: the resident's session, the staff token, a named
/// operator's token, a department's operator token and the bootstrap key. One HTTP scheme per kind of credential, so a
/// client sees which token an operation takes; the role names of an operator requirement are listed in it (OpenAPI
/// 3.1 §4.8.30: for schemes other than OAuth2 and OpenID Connect the array may list the roles required). An operation
/// without a policy is public and says so with an empty <c>security</c>.
/// </summary>
internal sealed class ApiSecurity : IOpenApiOperationTransformer, IOpenApiDocumentTransformer
{
    public const string ResidentSession = "residentSession";
    public const string StaffToken = "staffToken";
    public const string OperatorToken = "operatorToken";
    public const string DepartmentToken = "departmentToken";
    public const string AdminKey = "adminKey";

    private static readonly Dictionary<string, string> Schemes = new(StringComparer.Ordinal)
    {
        [ResidentSession] = "A resident's session token from POST /api/v1/auth/login (DESIGN §5). 401 codes: session_missing, session_invalid, session_expired.",
        [StaffToken] = "A checkpoint staff member's token, issued by an admin with POST /api/v1/admin/staff. 401 codes: staff_token_missing, _invalid, _expired, _revoked.",
        [OperatorToken] = "A named operator's token from POST /api/v1/admin/operators (DESIGN §10); each requirement lists the roles that let the operator in "
            + "(admin, health, auditor, office:<region>), any one of the alternatives. 401 codes: operator_key_missing, _invalid, _expired, _revoked; "
            + "an operator without the role: 403 role_required.",
        [DepartmentToken] = "A department's operator token: a named operator's token with the role department:<code> of the department that provides "
            + "the catalogue entry (DESIGN §9, §10). 401 as for operatorToken; another department's token: 403 role_required.",
        [AdminKey] = "The bootstrap key, configuration HealthCode:Admin:ApiKey (environment HealthCode__Admin__ApiKey): an operator named bootstrap "
            + "with the role admin, meant only to create the first named operators (DESIGN §10).",
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        // Only the schemes some operation takes: the hub has no residents, staff or departments.
        var used = document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? [])
            .SelectMany(o => o.Security ?? []).SelectMany(r => r.Keys).Select(k => k.Reference.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, description) in Schemes.Where(s => used.Contains(s.Key)))
        {
            document.Components.SecuritySchemes[name] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = description,
            };
        }

        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var alternatives = Alternatives(policies, metadata.OfType<CallerRoles>().LastOrDefault());
        if (alternatives.Count == 0 && metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
        {
            // Never call an endpoint public because its policy is new here: the document fails, and its test with it.
            throw new InvalidOperationException(
                $"{context.Description.RelativePath}: authorization policies [{string.Join(", ", policies)}] have no security scheme in the OpenAPI document (ApiSecurity).");
        }

        operation.Security = [.. alternatives.Select(a => Requirement(a.Scheme, a.Roles, context.Document))];
        if (alternatives.FirstOrDefault() is { Scheme: OperatorToken or DepartmentToken or AdminKey })
        {
            var who = string.Join(" or ", alternatives.Select(a => a.Scheme == AdminKey ? "the bootstrap key" : a.Roles.Count == 0 ? "any operator" : "role " + a.Roles[0]));
            operation.Description = $"{operation.Description}\n\nOperators: {who}.".TrimStart();
        }

        return Task.CompletedTask;
    }

    /// <summary>The credentials that let a caller in, each with the one role it needs (none: any holder).</summary>
    private static List<(string Scheme, IReadOnlyList<string> Roles)> Alternatives(HashSet<string> policies, CallerRoles? callerRoles)
    {
        if (policies.Contains(ResidentSessionAuthentication.SchemeName))
        {
            return [(ResidentSession, [])];
        }

        if (policies.Contains(StaffAuthentication.SchemeName))
        {
            return [(StaffToken, [])];
        }

        // Every operator policy must pass: the narrowest one (a role policy over the group's "any operator") decides,
        // then a handler's own check narrows it further.
        var roles = policies.Where(OperatorPolicies.Roles.ContainsKey).Select(p => OperatorPolicies.Roles[p])
            .Where(r => r.Length > 0).OrderBy(r => r.Length).FirstOrDefault();
        if (callerRoles is not null)
        {
            roles = [.. callerRoles.AnyOf];
        }

        if (roles is null)
        {
            return policies.Overlaps(OperatorPolicies.Roles.Keys) ? [(OperatorToken, []), (AdminKey, [])] : [];
        }

        var alternatives = new List<(string Scheme, IReadOnlyList<string> Roles)>();
        foreach (var role in roles)
        {
            alternatives.Add((role.StartsWith(OperatorRoles.DepartmentPrefix, StringComparison.Ordinal) ? DepartmentToken : OperatorToken, [role]));
        }

        // The bootstrap key is an admin (OperatorPrincipal.Bootstrap) and holds no other role.
        if (roles.Contains(OperatorRoles.Admin))
        {
            alternatives.Add((AdminKey, []));
        }

        return alternatives;
    }

    private static OpenApiSecurityRequirement Requirement(string scheme, IReadOnlyList<string> roles, OpenApiDocument? document) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [.. roles] };
}
