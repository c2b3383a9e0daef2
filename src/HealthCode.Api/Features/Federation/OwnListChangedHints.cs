using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Federation;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Federation;

/// <summary>
/// Who hears that our own signed list changed: a province tells its bilateral partners and the hub it belongs to (the
/// hub relays to the other members); the hub tells its active members that the federation list changed
/// (<c>iss</c> = <c>hub</c>). Called by <see cref="OwnTrustList"/> and <see cref="FederationPublisher"/> when they take
/// a list with a higher <c>seq</c>.
/// </summary>
internal sealed class OwnListChangedHints(ListChangedSender sender, IServiceProvider services, IOptions<HealthCodeOptions> options)
{
    /// <summary>Our trust list changed (a key added, rotated, revoked, or the list re-signed).</summary>
    public void TrustListChanged()
    {
        // Resolved here, not injected: PartnerTrust is the province's, and this class is built in both modes.
        var partners = services.GetRequiredService<PartnerTrust>().List()
            .Where(p => string.Equals(p.Source, nameof(PartnerSource.Bilateral), StringComparison.OrdinalIgnoreCase))
            .Select(p => p.TrustListUrl);
        var settings = options.Value;
        sender.Send(settings.Province.Code, settings.Hub.Url is { } hub ? partners.Append(hub) : partners);
    }

    /// <summary>The federation list changed (a member admitted, changed, suspended or removed, or the list re-signed).</summary>
    public void FederationChanged(IEnumerable<HubMemberRecord> members) =>
        sender.Send(ProvinceListChangedReceiver.Hub, members.Where(m => m.Status == "active").Select(m => m.TrustListUrl));
}
