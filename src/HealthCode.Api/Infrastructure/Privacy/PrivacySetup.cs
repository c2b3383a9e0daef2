namespace HealthCode.Api.Infrastructure.Privacy;

/// <summary>The privacy keys, the field cipher and the blind index (DESIGN §11), for the stores that hold personal data.</summary>
internal static class PrivacySetup
{
    public static IServiceCollection AddPrivacy(this IServiceCollection services)
    {
        // Singletons built at start (StartupChecks.LoadKeys): a missing or sample key stops the service before it serves.
        services.AddSingleton<PrivacyKeyRing>();
        services.AddSingleton<FieldCipher>();
        services.AddSingleton<BlindIndex>();
        services.AddSingleton<PersonalFields>();
        services.AddSingleton<PersonalDataJob>();
        return services;
    }
}
