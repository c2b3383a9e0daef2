using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace HealthCode.Api.Infrastructure.Auth;

/// <summary>
/// The operator policies (DESIGN §10 "Named operators"), each through the operator scheme: <see cref="AnyOperator"/> lets
/// in any operator (a group's baseline), the others need a role. An operator without the role is answered 403
/// <c>role_required</c>, naming the roles that would do (<see cref="RoleRequired"/>); a missing or bad token stays a 401
/// from the scheme.
/// </summary>
internal static class OperatorPolicies
{
    /// <summary>Any authenticated operator. The name is the scheme's, as the policy of the operator API was before roles.</summary>
    public const string AnyOperator = OperatorAuthentication.SchemeName;

    /// <summary>Role <c>admin</c> (staff, partners, keys, departments, catalogue, operators); the bootstrap key has it.</summary>
    public const string Admin = "Operator.Admin";

    /// <summary>Role <c>health</c> (disputes, overrides).</summary>
    public const string Health = "Operator.Health";

    /// <summary>Reads the scan audit: <c>auditor</c>, or <c>admin</c>, who read it before roles existed.</summary>
    public const string AuditReader = "Operator.AuditReader";

    public const string RoleRequiredCode = "role_required";

    /// <summary>Each policy and the roles it takes, any one of them (none: any operator).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Roles = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [AnyOperator] = [],
        [Admin] = [OperatorRoles.Admin],
        [Health] = [OperatorRoles.Health],
        [AuditReader] = [OperatorRoles.Auditor, OperatorRoles.Admin],
    };

    public static AuthorizationBuilder AddOperatorPolicies(this AuthorizationBuilder builder)
    {
        foreach (var (name, roles) in Roles)
        {
            builder.AddPolicy(name, policy =>
            {
                policy.AddAuthenticationSchemes(OperatorAuthentication.SchemeName).RequireClaim(OperatorPrincipal.OperatorIdClaim);
                if (roles.Length > 0)
                {
                    policy.RequireRole(roles);
                }
            });
        }

        return builder;
    }

    /// <summary>The answer to an operator without the role an action needs (any one of <paramref name="roles"/>).</summary>
    public static ApiProblem RoleRequired(params IReadOnlyList<string> roles) => new(
        StatusCodes.Status403Forbidden,
        RoleRequiredCode,
        $"This needs the operator role {string.Join(" or ", roles)}.",
        "Ask an admin operator for an account with that role.")
    {
        Extensions = new Dictionary<string, object?> { ["roles"] = roles },
    };
}

/// <summary>
/// Answers an operator whom a role policy refused with <see cref="OperatorPolicies.RoleRequired"/> instead of a bare 403;
/// every other outcome goes to the framework's handler.
/// </summary>
internal sealed class RoleRequiredHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var missing = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<RolesAuthorizationRequirement>().FirstOrDefault();
        return authorizeResult.Forbidden && missing is not null
            ? OperatorPolicies.RoleRequired([.. missing.AllowedRoles]).WriteAsync(context)
            : fallback.HandleAsync(next, context, policy, authorizeResult);
    }
}
