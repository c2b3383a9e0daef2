using System.Buffers.Text;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using HealthCode.Api.Features.DataUseLog;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Trust;

namespace HealthCode.Api.Features.Offices;

/// <summary>
/// <c>GET /api/v1/office/people?color=yellow|red&amp;region=&amp;cursor=&amp;limit=</c> (DESIGN §10 "Grassroots offices"): the
/// yellow and red people of the office's area, to follow up, the most recent colour change first. <c>region</c> narrows
/// the list to a part of the area; <c>cursor</c> continues a list where its previous page ended. Green people are never
/// listed. Every person listed is a use of their data, recorded before the page is answered.
/// </summary>
internal sealed record ListOfficePeople(string OperatorName, IReadOnlyList<string> Offices, string? Color, string? Region, string? Cursor, string? Limit)
    : IQuery<Result<OfficePeoplePage>>;

/// <param name="NextCursor">Gives the next page as <c>cursor</c>; null on the last page.</param>
internal sealed record OfficePeoplePage(IReadOnlyList<OfficePerson> Items, string? NextCursor);

/// <param name="Phone">The phone of the account that holds the person; for a family member (<paramref name="PhoneOf"/>
/// <c>holder</c>) the holder's, who declares for them; null when no account holds them.</param>
/// <param name="PhoneOf"><c>self</c> or <c>holder</c>: whose phone <paramref name="Phone"/> is.</param>
/// <param name="Since">When the code became this colour.</param>
/// <param name="Region">The region of the person's latest declaration, the one that puts them in the area.</param>
/// <param name="Office">The operator's office whose area they are in (the most specific one).</param>
internal sealed record OfficePerson(
    string MaskedName,
    string IdTail,
    string? Phone,
    string? PhoneOf,
    CodeColor Color,
    IReadOnlyList<RiskReason> Reasons,
    DateTimeOffset Since,
    string Region,
    string? RegionName,
    string? RegionNameEn,
    string Office);

/// <summary>Where a list stopped: the last person's colour change (ms since the epoch) and id. Opaque to callers (base64url).</summary>
internal sealed record OfficeCursor(long SinceMs, string PersonId)
{
    private const int MaxLength = 200;

    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{SinceMs}:{PersonId}")));

    public static OfficeCursor? Parse(string text)
    {
        if (text.Length > MaxLength || !Base64Url.IsValid(text))
        {
            return null;
        }

        var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text)).Split(':');
        return parts is [var since, { Length: > 0 } person] && long.TryParse(since, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? new OfficeCursor(ms, person)
            : null;
    }
}

internal sealed class ListOfficePeopleValidator : IValidator<ListOfficePeople>
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public IReadOnlyList<FieldError> Validate(ListOfficePeople message)
    {
        var errors = new List<FieldError>();
        if (message.Color is { Length: > 0 } color && color is not ("yellow" or "red"))
        {
            errors.Add(new FieldError("color", color == "green" ? "color_not_listed" : "color_invalid", color == "green"
                ? "Green people are never listed: they need no follow-up. Ask for yellow or red, or leave color out for both."
                : "Give color as yellow or red, or leave it out for both."));
        }

        OfficeAreas.Validate(message.Region, errors);
        if (message.Cursor is { Length: > 0 } cursor && OfficeCursor.Parse(cursor) is null)
        {
            errors.Add(new FieldError("cursor", "cursor_invalid", "Give back the nextCursor of the previous page as it came, or leave cursor out for the first page."));
        }

        if (message.Limit is { Length: > 0 } limit && Limit(limit) is null)
        {
            errors.Add(new FieldError("limit", "limit_invalid", $"Give limit as a whole number from 1 to {MaxLimit}."));
        }

        return errors;
    }

    public static int? Limit(string? text) =>
        string.IsNullOrEmpty(text) ? DefaultLimit
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxLimit ? n
        : null;
}

internal sealed class ListOfficePeopleHandler(IOfficeStore store, IDataUseStore dataUse, TimeProvider time)
    : IQueryHandler<ListOfficePeople, Result<OfficePeoplePage>>
{
    public async ValueTask<Result<OfficePeoplePage>> Handle(ListOfficePeople query, CancellationToken cancellationToken)
    {
        var scope = OfficeAreas.Scope(query.Offices, query.Region);
        if (scope.Problem is { } outside)
        {
            return outside;
        }

        var limit = ListOfficePeopleValidator.Limit(query.Limit)!.Value;
        CodeColor[] colours = query.Color switch
        {
            "yellow" => [CodeColor.Yellow],
            "red" => [CodeColor.Red],
            _ => [CodeColor.Yellow, CodeColor.Red],
        };
        var after = query.Cursor is { Length: > 0 } cursor ? OfficeCursor.Parse(cursor) : null;
        // One more than the page: whether there is a next page, without a count of the whole area.
        var rows = await store.ListAsync(scope.Value!, colours, after, limit + 1, cancellationToken);
        var listed = rows.Take(limit).Select(row => (Row: row, Person: Person(row, query.Offices))).ToList();

        // DESIGN §10: every view of a person is data use, in the log before the page leaves.
        await dataUse.AppendAsync([.. listed.SelectMany(l => Uses(l.Row.PersonId, l.Person, query.OperatorName))], time.GetUtcNow(), cancellationToken);

        var last = rows.Count > limit ? listed[^1].Row : null;
        return new OfficePeoplePage(
            [.. listed.Select(l => l.Person)],
            last is null ? null : new OfficeCursor(last.Since.ToUnixTimeMilliseconds(), last.PersonId).Encode());
    }

    private static OfficePerson Person(FollowUpRow row, IReadOnlyList<string> offices)
    {
        var area = OfficeAreas.Name(row.Region);
        return new OfficePerson(
            row.MaskedName,
            row.IdTail,
            row.Phone,
            row.Phone is null ? null : row.Dependant ? "holder" : "self",
            row.Color,
            JsonSerializer.Deserialize<RiskReason[]>(row.ReasonsJson, StrictJson.Options) ?? [],
            row.Since,
            row.Region,
            area.Name,
            area.NameEn,
            // The store read only the scope's areas, each within an office: there is always one.
            OfficeAreas.OfficeOf(offices, row.Region)!);
    }

    /// <summary>
    /// The uses one listed person's view makes: one per source and batch behind the reasons shown (a department's
    /// list, a lab's result), or one without a source when every reason is their own declaration's.
    /// </summary>
    private static IEnumerable<DataUse> Uses(string personId, OfficePerson person, string operatorName)
    {
        var actor = DataUseActors.Office(person.Office, operatorName);
        var sources = person.Reasons.Select(r => r.Source).OfType<FactSource>().DistinctBy(s => (s.Code, s.BatchId)).ToList();
        return sources.Count == 0
            ? [new DataUse(personId, DataUsePurposes.OfficeView, actor, null, null)]
            : sources.Select(s => new DataUse(personId, DataUsePurposes.OfficeView, actor, s.Code, s.BatchId));
    }
}

internal static class ListOfficePeopleEndpoint
{
    public static void MapListOfficePeople(this RouteGroupBuilder group) => group
        .MapGet("/people", (string? color, string? region, string? cursor, string? limit, ClaimsPrincipal user, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            // Names, ID tails and phones: never kept by a cache on the way.
            context.Response.Headers.CacheControl = "no-store";
            return mediator.Send(new ListOfficePeople(user.OperatorName(), user.Offices(), color, region, cursor, limit), ct).Answer(TypedResults.Ok);
        })
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .WithName("ListOfficePeople")
        .WithSummary("The yellow and red people of the office's area, to follow up (role office:<region>)")
        .WithDescription("""
            DESIGN §10: a person's area is the region of their latest declaration. Each item: maskedName, idTail, phone (the
            account's; for a family member the holder's, phoneOf holder), color, reasons (zh-CN and en, with the source of
            those from shared data), since (when the code became this colour), region (with its name, or its prefecture's
            for a county code), office (the operator's office whose area it is in). The most recent colour change first,
            at most limit (1 to 100, default 20) a page; nextCursor gives the next page as cursor. color: yellow or red
            (absent: both; green is never listed). region: a GB/T 2260 code or prefix within one of the operator's offices;
            one outside them is 403 role_required naming the office role it would take, a malformed or unknown one 400
            naming region. Every person listed is recorded in the data-use log (purpose office_view, actor the operator's
            name and office, one entry per source behind the reasons) before the page is answered. Never cached.
            """);
}
