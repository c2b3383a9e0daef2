using System.Security.Claims;
using System.Text.Json;
using HealthCode.Api.Features.DataUseLog;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.RateLimiting;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust;

namespace HealthCode.Api.Features.Verification;

/// <summary>The body of <c>POST /api/v1/lookup</c>: the ID card of a person without a phone.</summary>
internal sealed record LookupRequest(string? IdNumber, string? Name, string? CheckpointId);

/// <summary>Staff look a resident's status up by ID card. Audited and rate-limited per staff member.</summary>
internal sealed record LookupByIdCard(StaffMember Staff, string? IdNumber, string? Name, string? CheckpointId) : ICommand<Result<LookupAnswer>>;

/// <summary>
/// Only the colour and the masked name: the staff member already holds the ID card. <c>ScanId</c> names the lookup's
/// audit entry, as in a verdict (DESIGN §5): an opaque string.
/// </summary>
internal sealed record LookupAnswer(CodeColor Color, string MaskedName, string ScanId);

internal sealed class LookupByIdCardValidator(TimeProvider time) : IValidator<LookupByIdCard>
{
    public IReadOnlyList<FieldError> Validate(LookupByIdCard message)
    {
        var errors = new List<FieldError>();
        if (!IdNumber.IsValid(message.IdNumber, time.Today(), out var code))
        {
            errors.Add(new FieldError("idNumber", code, "Enter the 18-character ID number exactly as on the card."));
        }

        if (!FieldRules.IsName(message.Name))
        {
            errors.Add(new FieldError("name", "required", "Enter the name exactly as on the ID card."));
        }

        if (CheckpointMatch.Check(message.Staff, message.CheckpointId) is { } checkpoint)
        {
            errors.Add(checkpoint);
        }

        return errors;
    }
}

internal sealed class LookupByIdCardHandler(IHealthCodeStore store, AuditLog audit, IDataUseStore dataUse, TimeProvider time)
    : ICommandHandler<LookupByIdCard, Result<LookupAnswer>>
{
    public async ValueTask<Result<LookupAnswer>> Handle(LookupByIdCard command, CancellationToken cancellationToken)
    {
        var code = await store.FindCodeByIdCardAsync(command.IdNumber!.ToUpperInvariant(), command.Name!.Trim(), cancellationToken);
        // Answered only once audited (DESIGN §10), found or not.
        var recorded = await audit.RecordAsync(new AuditEvent(
            time.GetUtcNow(),
            command.Staff.CheckpointId,
            command.Staff.StaffId,
            "lookup",
            code is null ? null : "local",
            code?.CodeId,
            code is null ? "not_found" : $"found_{code.Color.ToString().ToLowerInvariant()}"), cancellationToken);
        if (recorded.Problem is { } unavailable)
        {
            return unavailable;
        }

        if (code is not null)
        {
            // The person sees on their page that a checkpoint looked them up (DESIGN §10), with the sources behind the colour it saw.
            await dataUse.AppendAsync(LookupUses(code, command.Staff), time.GetUtcNow(), cancellationToken);
        }

        return code is null
            ? ApiProblem.NotFound("resident_not_found", "No health code for this ID number and name. Check both against the ID card; the person may need to declare first.")
            : new LookupAnswer(code.Color, code.MaskedName, recorded.Value!);
    }

    /// <summary>One use per shared source behind the code's reasons, or one of the code alone when it has none.</summary>
    private static IReadOnlyList<DataUse> LookupUses(CodeRecord code, StaffMember staff)
    {
        var actor = DataUseActors.Checkpoint(staff.CheckpointId, staff.StaffId);
        var sources = (JsonSerializer.Deserialize<RiskReason[]>(code.ReasonsJson, StrictJson.Options) ?? [])
            .Select(r => r.Source).OfType<FactSource>().DistinctBy(s => (s.Code, s.BatchId)).ToList();
        return sources.Count == 0
            ? [new DataUse(code.PersonId, DataUsePurposes.Lookup, actor, null, null)]
            : [.. sources.Select(s => new DataUse(code.PersonId, DataUsePurposes.Lookup, actor, s.Code, s.BatchId))];
    }
}

/// <summary>
/// At most <c>HealthCode:Staff:LookupsPerMinute</c> lookups by one staff member in any minute, counted by the
/// <see cref="ISlidingWindowLimiter"/> (in Redis with several instances, so the limit holds across them: DESIGN §11).
/// Every request counts, valid or not, before anything is read. A limit that cannot be counted refuses (503
/// <c>rate_limit_unavailable</c>): the limit is what stops a stolen staff token from reading the province by ID number,
/// and scans by QR do not go through it.
/// </summary>
internal sealed class LookupLimit(ISlidingWindowLimiter limiter, IOptions<HealthCodeOptions> options) : IEndpointFilter
{
    public const string Code = "rate_limited";

    private readonly SlidingWindow perStaff = new("staff-lookup", options.Value.Staff.LookupsPerMinute, TimeSpan.FromMinutes(1));

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var staffId = http.User.FindFirstValue(StaffAuthentication.StaffIdClaim) ?? "";
        var decision = await limiter.TryAcquireAsync(perStaff, staffId, http.RequestAborted);
        return decision.Granted
            ? await next(context)
            : decision.Refusal(Code, "Too many ID-card lookups from this staff member.").ToResult(http.Response);
    }
}

internal static class LookupByIdCardEndpoint
{

    public static void MapLookupByIdCard(this RouteGroupBuilder group) => group
        .MapPost("/lookup", async Task<Results<Ok<LookupAnswer>, ProblemHttpResult>> (
            JsonBody<LookupRequest> body, HttpContext context, IMediator mediator, CancellationToken ct) =>
            body.Problem is { } invalid
                ? invalid.ToResult()
                : await mediator.Send(new LookupByIdCard(StaffMember.From(context.User), body.Value!.IdNumber, body.Value.Name, body.Value.CheckpointId), ct)
                    .Answer(TypedResults.Ok))
        .AddEndpointFilter<LookupLimit>()
        .Accepts<LookupRequest>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
        .WithName("LookupByIdCard")
        .WithSummary("Look a resident's status up by ID card")
        .WithDescription("For people without a phone. Answers the colour, the masked name and scanId (names the lookup's audit entry, an opaque string, as in a verdict); audited before it is answered, found or not; rate-limited per staff member (429 rate_limited with Retry-After). 503 with code audit_unavailable when the audit cannot store the lookup, store_unavailable when the store cannot be read to find the person (PostgreSQL down), rate_limit_unavailable when the instances' shared Redis cannot count the limit.");
}
