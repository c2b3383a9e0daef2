using HealthCode.Api.Infrastructure;
using System.ComponentModel.DataAnnotations;

namespace HealthCode.Api.Features.Federation;

/// <summary>
/// <c>HealthCode:Federation:ListChanged</c>: the list-changed hint of DESIGN §11, sent when a signed list of ours
/// changes and received from partners and the hub. Polling (<c>HealthCode:Federation:RefreshInterval</c>) stays the
/// fallback for a hint that is lost or refused.
/// </summary>
internal sealed class ListChangedOptions
{
    /// <summary>Post the hint to partners and the hub (a province) or to the members (the hub) when our list changes.</summary>
    public bool Send { get; set; } = true;

    /// <summary>
    /// The least time between two fetches of one issuer's list that hints cause, across the instances of this
    /// province (a lease in the shared cache). Hints in between are coalesced into one fetch after it, never dropped.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan FetchInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Hints accepted overall, from every sender, counted by the service's sliding-window limiter (per instance in
    /// process; across the province's instances when that limiter is the shared one); beyond it: 429
    /// <c>list_changed_rate_limited</c> with Retry-After.
    /// </summary>
    [Required, ValidateObjectMembers]
    public SlidingLimitOptions Overall { get; set; } = new() { Limit = 100, Window = TimeSpan.FromSeconds(10) };
}
