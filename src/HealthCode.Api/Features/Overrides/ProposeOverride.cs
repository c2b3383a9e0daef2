using System.Globalization;
using System.Security.Claims;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Features.Disputes;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust;

namespace HealthCode.Api.Features.Overrides;

/// <summary>The body of <c>POST /api/v1/admin/overrides</c>.</summary>
internal sealed record ProposeOverrideRequest(string? IdNumber, string? Color, string? Reason, string? Rule, string? Until, string? DisputeId);

/// <summary>
/// <c>POST /api/v1/admin/overrides {idNumber, color, reason, rule, until, disputeId?}</c> (DESIGN §10 "Overrides"): a
/// health operator proposes a manual colour for a person the service knows, with the reason, the policy rule it rests
/// on and its last day; nothing changes until a different health operator approves it. <c>disputeId</c> links the
/// dispute it answers (then <c>idNumber</c> may be left out: the dispute names the person).
/// </summary>
internal sealed record ProposeOverride(ClaimsPrincipal Operator, ProposeOverrideRequest Request) : ICommand<Result<OverrideView>>;

internal sealed class ProposeOverrideValidator(TimeProvider time) : IValidator<ProposeOverride>
{
    public const int ReasonMaxLength = 500;
    public const int RuleMaxLength = 64;

    /// <summary>The furthest an override reaches: it is a stopgap until the data is corrected, not a new policy.</summary>
    public const int MaxDays = 30;

    public IReadOnlyList<FieldError> Validate(ProposeOverride message)
    {
        var request = message.Request;
        var today = time.Today();
        var errors = new List<FieldError>();
        if (!string.IsNullOrWhiteSpace(request.IdNumber))
        {
            DeclarationValidator.ValidateIdNumber(request.IdNumber, today, errors);
        }
        else if (string.IsNullOrWhiteSpace(request.DisputeId))
        {
            errors.Add(new FieldError("idNumber", "required", "Give the person's ID number, or the disputeId of the dispute the override answers."));
        }

        if (request.Color is not ("green" or "yellow" or "red"))
        {
            errors.Add(new FieldError("color", "color_invalid", "Choose the colour: green, yellow or red."));
        }

        FieldRules.Text("reason", request.Reason, ReasonMaxLength, multiline: true, "why the colour must change (what was checked, the ticket or dispute)", errors);
        FieldRules.Text("rule", request.Rule, RuleMaxLength, multiline: false,
            "which policy rule allows it: a clause of the risk policy (e.g. risk-policy 2020.1-default close_contact) or the number of the document that orders it", errors);
        if (string.IsNullOrWhiteSpace(request.Until))
        {
            errors.Add(new FieldError("until", "required", $"Give the override's last day (yyyy-MM-dd, China Standard Time), at most {MaxDays} days from today."));
        }
        else if (!DateOnly.TryParseExact(request.Until, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var until))
        {
            errors.Add(new FieldError("until", "date_invalid", "Give the last day as yyyy-MM-dd, e.g. 2020-03-15."));
        }
        else if (until < today)
        {
            errors.Add(new FieldError("until", "until_past", "The last day has passed: give today or a later day."));
        }
        else if (until > today.AddDays(MaxDays))
        {
            errors.Add(new FieldError("until", "until_too_far", $"An override lasts at most {MaxDays} days: give a day no later than {today.AddDays(MaxDays):yyyy-MM-dd}, and correct the data meanwhile."));
        }

        if (request.DisputeId is { Length: > 64 })
        {
            errors.Add(new FieldError("disputeId", "dispute_invalid", "Give the disputeId as the queue shows it."));
        }

        return errors;
    }
}

internal sealed class ProposeOverrideHandler(IPersonStore persons, IDisputeStore disputes, IOverrideStore overrides, TimeProvider time)
    : ICommandHandler<ProposeOverride, Result<OverrideView>>
{
    public async ValueTask<Result<OverrideView>> Handle(ProposeOverride command, CancellationToken cancellationToken)
    {
        var request = command.Request;
        var now = time.GetUtcNow();
        DisputeRecord? dispute = null;
        if (!string.IsNullOrWhiteSpace(request.DisputeId))
        {
            dispute = await disputes.FindAsync(request.DisputeId.Trim(), cancellationToken);
            if (dispute is null)
            {
                return DisputeProblems.NotFound;
            }

            await disputes.SettleRetractedAsync([dispute.PersonId], now, cancellationToken);
            dispute = (await disputes.FindAsync(dispute.Id, cancellationToken))!;
            if (dispute.State != DisputeStates.Open)
            {
                return DisputeProblems.Closed(dispute.State);
            }
        }

        var personId = dispute?.PersonId;
        if (!string.IsNullOrWhiteSpace(request.IdNumber))
        {
            if (await persons.FindByIdNumberAsync(request.IdNumber.Trim().ToUpperInvariant(), cancellationToken) is not { } person)
            {
                return OverrideProblems.PersonUnknown;
            }

            if (personId is not null && personId != person.Id)
            {
                return ApiProblem.Validation([new FieldError("disputeId", "dispute_other_person", "The dispute is about another person: give the disputeId of this person's dispute, or leave it out.")]);
            }

            personId = person.Id;
        }

        var proposed = await overrides.ProposeAsync(
            new NewOverride(
                personId!,
                Enum.Parse<CodeColor>(request.Color!, ignoreCase: true),
                request.Reason!.Trim(),
                request.Rule!.Trim(),
                DateOnly.ParseExact(request.Until!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                dispute?.Id,
                command.Operator.AuditActor()),
            now,
            cancellationToken);
        return OverrideView.From(proposed);
    }
}

internal static class ProposeOverrideEndpoint
{
    public static RouteHandlerBuilder MapProposeOverride(this RouteGroupBuilder group) => group
        .MapPost("/overrides", async Task<Results<Created<OverrideView>, ProblemHttpResult>> (
            JsonBody<ProposeOverrideRequest> body, HttpContext context, IMediator mediator, CancellationToken ct) =>
            body.Problem is { } invalid
                ? invalid.ToResult()
                : await mediator.Send(new ProposeOverride(context.User, body.Value!), ct)
                    .Answer(proposed => TypedResults.Created($"/api/v1/admin/overrides/{proposed.OverrideId}", proposed)))
        .Accepts<ProposeOverrideRequest>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .WithName("ProposeOverride")
        .WithSummary("Propose a manual colour for a person (role health; takes effect when another health operator approves)")
        .WithDescription("""
            DESIGN §10: idNumber (a person the service knows: 404 person_not_found otherwise), color (green, yellow, red),
            reason (required, at most 500 characters), rule (required, at most 64: the policy rule the change rests on, a
            clause of the risk policy such as "risk-policy 2020.1-default close_contact" or the number of the document that
            orders it, such as "豫疫防指〔2020〕12号"), until (the last day, yyyy-MM-dd China Standard Time, from today to 30
            days ahead), disputeId (optional: the open dispute it answers; idNumber may then be left out). Every invalid
            field is named (validation_failed, errors[]). 201 {overrideId, state: "proposed", ...}; the audit entry's target
            is the overrideId, as the approval's is, so the two join.
            """);
}
