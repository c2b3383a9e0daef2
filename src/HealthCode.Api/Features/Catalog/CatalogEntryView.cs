using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Catalog;

/// <summary>
/// A catalogue entry as it is published (DESIGN §9): every field, the provider's name beside its code, and whether
/// its data is late (<see cref="CatalogFreshness"/>).
/// </summary>
/// <param name="ProviderName">The providing department's name; null if the department is not (or no longer) registered.</param>
/// <param name="LastBatchAt">When the last batch was applied; null before the first one.</param>
/// <param name="Rows">The rows the entry holds after its last batch.</param>
/// <param name="Late">Its data is older than its update cycle (or no batch came yet).</param>
/// <param name="LateSince">When it became late; null when it is not.</param>
internal sealed record CatalogEntryView(
    string Code,
    string Name,
    string Provider,
    string? ProviderName,
    string Summary,
    string Kind,
    IReadOnlyList<CatalogItem> Items,
    CatalogSharing Sharing,
    string UpdateCycle,
    string LegalBasis,
    string Purpose,
    int RetentionDays,
    DateTimeOffset PublishedAt,
    DateTimeOffset? LastBatchAt,
    long Rows,
    bool Late,
    DateTimeOffset? LateSince)
{
    public static CatalogEntryView From(CatalogEntry entry, string? providerName, DateTimeOffset now)
    {
        var freshness = CatalogFreshness.Of(entry, now);
        return new(
            entry.Code,
            entry.Name,
            entry.Provider,
            providerName,
            entry.Summary,
            entry.Kind,
            entry.Items,
            entry.Sharing,
            entry.UpdateCycle,
            entry.LegalBasis,
            entry.Purpose,
            entry.RetentionDays,
            entry.PublishedAt,
            entry.LastBatchAt,
            entry.Rows,
            freshness.Late,
            freshness.LateSince);
    }

    /// <summary>The entry as stored now, with its provider's name.</summary>
    public static async Task<CatalogEntryView?> ReadAsync(ICatalogStore store, string code, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await store.FindEntryAsync(code, cancellationToken) is not { } entry)
        {
            return null;
        }

        return From(entry, (await store.FindDepartmentAsync(entry.Provider, cancellationToken))?.Name, now);
    }
}

/// <summary>What the catalogue's writers check in the store, beside the fields: the provider is a registered department.</summary>
internal static class CatalogProblems
{
    public static async Task<ApiProblem?> CheckProviderAsync(ICatalogStore store, string provider, CancellationToken cancellationToken) =>
        await store.FindDepartmentAsync(provider, cancellationToken) is null
            ? ApiProblem.Validation([new FieldError("provider", "provider_unknown",
                $"No department {provider} is registered; register it first (POST /api/v1/admin/departments).")])
            : null;

    public static ApiProblem NotFound(string code) =>
        new(StatusCodes.Status404NotFound, "catalog_entry_not_found", "There is no catalogue entry with this code.", $"No entry {code}; add it with POST /api/v1/admin/catalog.");
}
