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
        services.AddSingleton<ICatalogStore, SqliteCatalogStore>();
        return services;
    }

    /// <summary>Maps the departments' endpoints on <paramref name="api"/> (<c>/api/v1</c>).</summary>
    public static void MapSharing(RouteGroupBuilder api)
    {
        _ = api;
    }
}
