using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Sharing;

/// <summary>
/// Data from the departments (DESIGN §9): signed batches through the sharing catalogue, the facts they carry about
/// persons, and the re-scoring of the persons whose facts changed.
/// </summary>
internal static class SharingModule
{
    public static IServiceCollection AddSharing(this IServiceCollection services)
    {
        services.AddSingleton<ICatalogStore, CatalogStore>();
        services.AddSingleton<IBatchStore, BatchStore>();
        services.AddSingleton<IFactStore, FactStore>();
        services.AddSingleton<BatchFiles>();
        services.AddSingleton<BatchBodies>();
        services.AddSingleton<BatchPacing>();
        services.AddSingleton<BatchApplier>();
        services.AddSingleton<BatchMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<BatchApplier>());
        services.AddSingleton<PersonRescoring>();
        return services;
    }

    /// <summary>
    /// Maps the departments' endpoints on <paramref name="departments"/> (<c>/api/v1</c>, any operator): an upload is
    /// a department operator's action, audited under their name like every operator action (DESIGN §10).
    /// </summary>
    public static void MapSharing(RouteGroupBuilder departments)
    {
        departments.MapUploadBatch();
        departments.MapGetBatchStatus();
    }
}
