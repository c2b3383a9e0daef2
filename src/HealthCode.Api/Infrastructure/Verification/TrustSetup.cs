using HealthCode.Api.Infrastructure.Keys;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;

namespace HealthCode.Api.Infrastructure.Verification;

/// <summary>
/// Fills the in-memory trust store a scan consults: this province's own issuer keys with their
/// status, and the partner lists found in <c>HealthCode:Trust:PartnersPath</c>,
/// each accepted only after its signature is checked against the partner's pinned root.
/// </summary>
internal static partial class TrustSetup
{
    public static TrustStore Create(IssuingKeys keys, IOptions<HealthCodeOptions> options, IHostEnvironment environment, TimeProvider time, ILogger logger)
    {
        var settings = options.Value;
        var store = new TrustStore();
        SetOwnKeys(store, keys, settings);

        if (!string.IsNullOrWhiteSpace(settings.Trust.PartnersPath))
        {
            var folder = Path.GetFullPath(settings.Trust.PartnersPath, environment.ContentRootPath);
            if (Directory.Exists(folder))
            {
                SampleKeyGuard.CheckFiles(
                    Directory.EnumerateDirectories(folder).Select(d => Path.Combine(d, TrustFolder.RootFileName)), environment, "HealthCode:Trust:PartnersPath", folder);
            }

            var report = TrustFolder.Load(folder, store, time);
            foreach (var issuer in report.Loaded)
            {
                LogPartnerLoaded(logger, issuer);
            }

            foreach (var rejected in report.Rejected)
            {
                LogPartnerRejected(logger, rejected.Issuer, rejected.Reason);
            }
        }

        return store;
    }

    /// <summary>This province's issuer keys with their status: the active one, retired ones (still valid for their codes), revoked ones.</summary>
    public static void SetOwnKeys(TrustStore store, IssuingKeys keys, HealthCodeOptions settings) =>
        store.SetOwn(settings.Province.Code, settings.Province.Name, keys.Current.Issuers.Select(i => (i.Key, i.Status)));

    public static HealthCodeVerifier Verifier(TrustStore store, IOptions<HealthCodeOptions> options, TimeProvider time) =>
        new(store, time, options.Value.Trust.ClockSkew);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partner {Issuer}: trust list accepted")]
    private static partial void LogPartnerLoaded(ILogger logger, string issuer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partner {Issuer}: trust list rejected ({Error}); its codes will not verify")]
    private static partial void LogPartnerRejected(ILogger logger, string issuer, string error);
}
