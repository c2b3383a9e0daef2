using HealthCode.Api.Infrastructure;

namespace HealthCode.Api.Features.Retention;

/// <summary>
/// The retention purge of personal data (DESIGN §11): what residents declared, their sessions and the record of persons
/// moved between phones, once older (a session: expired longer) than <c>HealthCode:Privacy:RetentionDays</c>; the departments' dated facts
/// once older than that or than their catalogue entry's <c>retentionDays</c>, whichever is sooner. Every hour, and on
/// demand by an admin (<c>POST /api/v1/admin/retention/purge</c>, audited like every operator action).
/// </summary>
/// <remarks>
/// Kept, on purpose: persons and their codes (a code is the current state, not a record of the past, and a person
/// without one could not be scanned); a case's status and the population register (current states that the department
/// replaces or retracts by batch, not dated events); disputes and overrides (who changed a colour and why is what the
/// province answers for); the data-use log (what a resident reads to see who used their data, no personal field in it,
/// docs/DATA-USE-LOG.md §5); the scan audit (its own retention, <c>HealthCode:Audit:RetentionDays</c>).
/// </remarks>
internal static class RetentionModule
{
    /// <summary>How often the purge runs by itself.</summary>
    public static readonly TimeSpan PurgeEvery = TimeSpan.FromHours(1);

    public static IServiceCollection AddRetention(this IServiceCollection services)
    {
        services.AddSingleton<IRetentionStore, RetentionStore>();
        PeriodicWork.Add(services, "personal data retention", PurgeEvery,
            (provider, ct) => provider.GetRequiredService<IMediator>().Send(new PurgeExpiredData(), ct).AsTask());
        return services;
    }

    /// <summary>Maps the purge on <paramref name="admin"/> (<c>/api/v1/admin</c>, role admin, audited).</summary>
    public static void MapRetention(RouteGroupBuilder admin) => admin.MapPurgeExpiredData();
}
