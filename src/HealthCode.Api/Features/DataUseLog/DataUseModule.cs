namespace HealthCode.Api.Features.DataUseLog;

/// <summary>The data-use log (DESIGN §10): who used a person's data, when, for what and from which source.</summary>
internal static class DataUseModule
{
    public static IServiceCollection AddDataUse(this IServiceCollection services)
    {
        services.AddSingleton<IDataUseStore, SqliteDataUseStore>();
        return services;
    }
}
