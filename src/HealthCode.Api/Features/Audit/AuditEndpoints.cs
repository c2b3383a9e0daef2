namespace HealthCode.Api.Features.Audit;

/// <summary>The operators' audit endpoints, one use case a file.</summary>
internal static class AuditEndpoints
{
    public static void MapAudit(this RouteGroupBuilder group)
    {
        group.MapListAudit();
        group.MapVerifyAuditChain();
        group.MapPurgeAudit();
    }
}
