using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Catalog;

/// <summary>
/// A catalogue entry as an operator sends it (<c>POST /api/v1/admin/catalog</c>, <c>PUT /api/v1/admin/catalog/{code}</c>),
/// every field of DESIGN §9 but those the service keeps (<c>lastBatchAt</c>, <c>rows</c>: sent, they are refused as
/// unknown fields).
/// </summary>
/// <param name="Code"><c>&lt;province&gt;-&lt;provider&gt;-&lt;nnn&gt;</c>, e.g. <c>410000-CDC-002</c> (<see cref="CatalogVocabulary.TrySplitEntryCode"/>).</param>
/// <param name="PublishedAt">When the entry was (or is to be) published; absent: now for a new entry, unchanged for an update.</param>
internal sealed record CatalogEntryRequest(
    string? Code,
    string? Name,
    string? Provider,
    string? Summary,
    string? Kind,
    IReadOnlyList<CatalogItemRequest?>? Items,
    CatalogSharingRequest? Sharing,
    string? UpdateCycle,
    string? LegalBasis,
    string? Purpose,
    int? RetentionDays,
    DateTimeOffset? PublishedAt)
{
    /// <summary>The entry to store, from a request its validator passed.</summary>
    public CatalogEntry ToEntry(DateTimeOffset publishedAt) => new(
        Code!,
        Name!.Trim(),
        Provider!,
        Summary!.Trim(),
        Kind!,
        [.. Items!.Select(i => new CatalogItem(i!.Name!.Trim(), i.Type!.Trim()))],
        new CatalogSharing(Sharing!.Type!, string.IsNullOrWhiteSpace(Sharing.Conditions) ? null : Sharing.Conditions.Trim(), CatalogVocabulary.MethodBatch),
        UpdateCycle!.Trim(),
        LegalBasis!.Trim(),
        Purpose!.Trim(),
        RetentionDays!.Value,
        PublishedAt ?? publishedAt,
        null,
        0);
}

/// <summary>One column of the data (信息项): its name as in the batches' header, and its type.</summary>
internal sealed record CatalogItemRequest(string? Name, string? Type);

/// <summary><c>type</c>: unconditional, conditional (then <c>conditions</c> says on what) or none; <c>method</c>: batch (the default).</summary>
internal sealed record CatalogSharingRequest(string? Type, string? Conditions, string? Method);

/// <summary>
/// Checks every field of a catalogue entry and names each invalid one (DESIGN §5). Whether the provider is a
/// registered department is a question for the store, asked by the handlers.
/// </summary>
internal sealed class CatalogEntryValidator(IOptions<HealthCodeOptions> options, TimeProvider time) : IValidator<CatalogEntryRequest>
{
    public const int MaxItems = 200;

    /// <summary>The earliest publication date taken: a catalogue entry dated before it is a typing error.</summary>
    public static readonly DateTimeOffset EarliestPublication = new(2000, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));

    /// <summary>How far ahead an entry may be announced.</summary>
    public static readonly TimeSpan LatestPublication = TimeSpan.FromDays(366);
    public const int MinRetentionDays = 1;
    public const int MaxRetentionDays = 3650;

    public IReadOnlyList<FieldError> Validate(CatalogEntryRequest message)
    {
        var errors = new List<FieldError>();
        ValidateCode(message.Code, message.Provider, errors);
        Text("name", message.Name, 100, "the dataset's name", errors);
        if (!CatalogVocabulary.IsDepartmentCode(message.Provider))
        {
            errors.Add(new FieldError("provider", message.Provider is null ? "required" : "department_code_invalid",
                "Enter the code of the registered department that provides the data, e.g. CDC."));
        }

        Text("summary", message.Summary, 1000, "what the data is", errors);
        if (message.Kind is null || !CatalogVocabulary.Kinds.Contains(message.Kind))
        {
            errors.Add(new FieldError("kind", message.Kind is null ? "required" : "kind_unknown",
                $"Choose the kind of data: {string.Join(", ", CatalogVocabulary.Kinds)}."));
        }

        ValidateItems(message.Items, errors);
        ValidateSharing(message.Sharing, errors);
        ValidateUpdateCycle(message.UpdateCycle, errors);
        Text("legalBasis", message.LegalBasis, 1000, "the law or document that allows the sharing", errors);
        Text("purpose", message.Purpose, 1000, "what the data is used for", errors);
        if (message.RetentionDays is not (>= MinRetentionDays and <= MaxRetentionDays))
        {
            errors.Add(new FieldError("retentionDays", message.RetentionDays is null ? "required" : "retention_out_of_range",
                $"Enter how many days the data is kept: {MinRetentionDays} to {MaxRetentionDays}."));
        }

        if (message.PublishedAt is { } published && (published < EarliestPublication || published > time.GetUtcNow() + LatestPublication))
        {
            errors.Add(new FieldError("publishedAt", "published_at_out_of_range",
                "Enter the publication date and time (ISO 8601, e.g. 2020-03-01T08:00:00+08:00) from 2000 up to a year from now, or leave it out for now."));
        }

        return errors;
    }

    private void ValidateCode(string? code, string? provider, List<FieldError> errors)
    {
        var own = options.Value.Province.Code;
        if (!CatalogVocabulary.TrySplitEntryCode(code, out var province, out var codeProvider))
        {
            errors.Add(new FieldError("code", code is null ? "required" : "catalog_code_invalid",
                $"Enter the entry's code as <province>-<department>-<3 digits>, e.g. {own}-CDC-002."));
        }
        else if (province != own)
        {
            errors.Add(new FieldError("code", "catalog_code_province", $"The code starts with this province's code, {own}: e.g. {own}-{codeProvider}-001."));
        }
        else if (CatalogVocabulary.IsDepartmentCode(provider) && codeProvider != provider)
        {
            errors.Add(new FieldError("code", "catalog_code_provider",
                $"The code names the providing department: with provider {provider}, e.g. {own}-{provider}-001."));
        }
    }

    private static void ValidateItems(IReadOnlyList<CatalogItemRequest?>? items, List<FieldError> errors)
    {
        if (items is null || items.Count == 0)
        {
            errors.Add(new FieldError("items", "required", "List the data's columns (信息项), each with its name and type, e.g. {\"name\": \"idNumber\", \"type\": \"string\"}."));
            return;
        }

        if (items.Count > MaxItems)
        {
            errors.Add(new FieldError("items", "items_too_many", $"At most {MaxItems} columns."));
            return;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not { } item)
            {
                errors.Add(new FieldError($"items[{i}]", "required", "Give each column as {\"name\": ..., \"type\": ...}."));
                continue;
            }

            if (Text($"items[{i}].name", item.Name, 64, "the column's name", errors) && !names.Add(item.Name!.Trim()))
            {
                errors.Add(new FieldError($"items[{i}].name", "item_duplicate", $"The column '{item.Name.Trim()}' is listed twice."));
            }

            Text($"items[{i}].type", item.Type, 32, "the column's type, e.g. string, date, datetime, integer", errors);
        }
    }

    private static void ValidateSharing(CatalogSharingRequest? sharing, List<FieldError> errors)
    {
        if (sharing is null)
        {
            errors.Add(new FieldError("sharing", "required", "Say how the data is shared: {\"type\": \"unconditional\" | \"conditional\" | \"none\", \"conditions\", \"method\": \"batch\"}."));
            return;
        }

        if (sharing.Type is null || !CatalogVocabulary.SharingTypes.Contains(sharing.Type))
        {
            errors.Add(new FieldError("sharing.type", sharing.Type is null ? "required" : "sharing_type_unknown",
                "Choose unconditional (无条件共享), conditional (有条件共享) or none (不予共享)."));
        }
        else if (sharing.Type == CatalogVocabulary.SharingConditional && string.IsNullOrWhiteSpace(sharing.Conditions))
        {
            errors.Add(new FieldError("sharing.conditions", "conditions_required", "Conditional sharing says on what conditions the data is shared."));
        }

        if (sharing.Conditions is { } conditions && conditions.Trim().Length > 1000)
        {
            errors.Add(new FieldError("sharing.conditions", "too_long", "At most 1000 characters."));
        }

        if (sharing.Method is not (null or CatalogVocabulary.MethodBatch))
        {
            errors.Add(new FieldError("sharing.method", "sharing_method_unsupported", "The only method is batch (signed batches, DESIGN §9); leave it out or write \"batch\"."));
        }
    }

    private static void ValidateUpdateCycle(string? text, List<FieldError> errors)
    {
        var error = UpdateCycles.TryParse(text, out _);
        var message = "Enter how often new data comes as an ISO 8601 duration of days, hours or weeks, e.g. P1D (every day), PT6H (every 6 hours), P1W (every week).";
        switch (error)
        {
            case UpdateCycleError.Required:
                errors.Add(new FieldError("updateCycle", "required", message));
                break;
            case UpdateCycleError.Invalid:
                errors.Add(new FieldError("updateCycle", "update_cycle_invalid", message));
                break;
            case UpdateCycleError.Ambiguous:
                errors.Add(new FieldError("updateCycle", "update_cycle_ambiguous",
                    "Years and months have no fixed length: write the cycle in days or weeks, e.g. P30D rather than P1M, P365D rather than P1Y."));
                break;
            case UpdateCycleError.OutOfRange:
                errors.Add(new FieldError("updateCycle", "update_cycle_out_of_range",
                    $"The cycle must be at least {UpdateCycles.Shortest.TotalMinutes:0} minute and at most {UpdateCycles.Longest.TotalDays:0} days."));
                break;
        }
    }

    /// <returns>Whether the text is present and short enough.</returns>
    private static bool Text(string field, string? value, int max, string what, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new FieldError(field, "required", $"Enter {what}."));
            return false;
        }

        if (value.Trim().Length > max)
        {
            errors.Add(new FieldError(field, "too_long", $"At most {max} characters."));
            return false;
        }

        return true;
    }
}
