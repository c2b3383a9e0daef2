using HealthCode.Api.Infrastructure.Store;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthCode.Api.Features.Health;

/// <summary>
/// <c>/healthz</c> says the process is alive; <c>/readyz</c> that it can serve (the store answers), with the status of
/// each check and, under <c>details</c>, why each one that is not healthy is not.
/// </summary>
internal static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            ResponseWriter = async (context, report) =>
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsJsonAsync(new
                {
                    status = report.Status.ToString().ToLowerInvariant(),
                    checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString().ToLowerInvariant()),
                    // What an operator acts on: each check that is not healthy, in its own words (descriptions
                    // and data the checks write for this page; never an exception's message).
                    details = report.Entries
                        .Where(e => e.Value.Status != HealthStatus.Healthy)
                        .ToDictionary(e => e.Key, e => new { description = e.Value.Description, data = e.Value.Data.Count > 0 ? e.Value.Data : null }),
                });
            },
        });
    }
}

internal sealed class StoreHealthCheck(IHealthCodeStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await store.IsHealthyAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The store did not answer.");
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("The store did not answer.", e);
        }
    }
}
