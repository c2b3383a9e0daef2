using HealthCode.Api.Infrastructure.Ops;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthCode.Api.Features.Catalog;

/// <summary>
/// The departments and the sharing catalogue (DESIGN §9, 政务信息资源目录): operators register departments with the
/// key they sign batches with and publish catalogue entries; anyone reads the catalogue (<c>GET /api/v1/catalog</c>,
/// <c>/catalog.html</c>) and sees how fresh each entry is; operators see late entries in <c>/readyz</c> and
/// <c>/metrics</c>. The store (<c>ICatalogStore</c>) is registered by the Sharing area, which applies the batches.
/// </summary>
internal static class CatalogModule
{
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.AddSingleton<IValidator<RegisterDepartment>, RegisterDepartmentValidator>();
        services.AddSingleton<CatalogEntryValidator>();
        services.AddSingleton<IValidator<CatalogEntryRequest>>(sp => sp.GetRequiredService<CatalogEntryValidator>());
        services.AddSingleton<IValidator<AddCatalogEntry>, AddCatalogEntryValidator>();
        services.AddSingleton<IValidator<UpdateCatalogEntry>, UpdateCatalogEntryValidator>();
        services.AddObservedMetrics<CatalogMetrics>();
        // Degraded, never unhealthy, even when the check itself fails: see CatalogHealthCheck.
        services.AddHealthChecks().AddCheck<CatalogHealthCheck>(CatalogHealthCheck.Name, failureStatus: HealthStatus.Degraded);
        return services;
    }

    /// <summary>Maps the public catalogue on <paramref name="api"/> (<c>/api/v1</c>) and the operators' endpoints on <paramref name="admin"/>.</summary>
    public static void MapCatalog(RouteGroupBuilder api, RouteGroupBuilder admin)
    {
        var catalog = api.MapGroup("").WithTags("Sharing catalogue");
        catalog.MapGetCatalog();
        catalog.MapGetCatalogEntry();
        admin.MapRegisterDepartment();
        admin.MapListDepartments();
        admin.MapAddCatalogEntry();
        admin.MapUpdateCatalogEntry();
    }
}
