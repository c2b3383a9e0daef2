using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Features.Audit;

/// <summary>The operators' audit endpoints, one use case a file.</summary>
internal static class AuditEndpoints
{
    /// <summary>
    /// Maps them on <paramref name="operators"/> (<c>/api/v1/admin</c>, any operator): reading and checking the audit
    /// takes the role auditor or admin, the purge admin (DESIGN §10).
    /// </summary>
    public static void MapAudit(this RouteGroupBuilder operators)
    {
        operators.MapListAudit().RequireAuthorization(OperatorPolicies.AuditReader);
        operators.MapVerifyAuditChain().RequireAuthorization(OperatorPolicies.AuditReader);
        operators.MapPurgeAudit().RequireAuthorization(OperatorPolicies.Admin);
    }
}
