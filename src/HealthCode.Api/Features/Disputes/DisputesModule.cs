using HealthCode.Api.Infrastructure;

namespace HealthCode.Api.Features.Disputes;

/// <summary>
/// Disputes (纠错, DESIGN §10, GB/T 38963): a resident disputes a fact a department shared about one of their persons;
/// the providing department and the health operators see the queue; the department retracts or replaces the row by a
/// batch (the dispute then reads <c>retracted</c>), a health operator's four-eyes override answers it
/// (<c>overridden</c>, see Features/Overrides), or an operator answers that the fact stands (<c>rejected</c>). Filing
/// and each answer are uses of the person's data, in the data-use log.
/// </summary>
internal static class DisputesModule
{
    /// <summary>How often the service closes the disputes whose rows the departments retracted, when nobody looks.</summary>
    public static readonly TimeSpan SettleEvery = TimeSpan.FromMinutes(1);

    public static IServiceCollection AddDisputes(this IServiceCollection services)
    {
        services.AddSingleton<IDisputeStore, DisputeStore>();
        services.AddSingleton<IValidator<FileDispute>, FileDisputeValidator>();
        services.AddSingleton<IValidator<RejectDispute>, RejectDisputeValidator>();
        // A batch settles the disputes of the rows it removed before it reads applied; this settles any a crash left open.
        PeriodicWork.Add(services, "dispute settlement", SettleEvery, (provider, ct) =>
            provider.GetRequiredService<IDisputeStore>().SettleRetractedAsync(null, provider.GetRequiredService<TimeProvider>().GetUtcNow(), ct));
        return services;
    }

    /// <summary>Maps the residents' endpoints on <paramref name="resident"/> and the queue on <paramref name="operators"/> (any operator: each use case checks the role).</summary>
    public static void MapDisputes(RouteGroupBuilder resident, RouteGroupBuilder operators)
    {
        resident.MapFileDispute();
        resident.MapListMyDisputes();
        operators.MapListDisputeQueue();
        operators.MapRejectDispute();
    }
}
