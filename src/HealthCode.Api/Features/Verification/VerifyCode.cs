using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Federation;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Verification;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;

namespace HealthCode.Api.Features.Verification;

/// <summary>The body of <c>POST /api/v1/verify</c>: the scanned text and where it was scanned.</summary>
internal sealed record VerifyRequest(string? Qr, string? CheckpointId);

/// <summary>A scan at a checkpoint: always a verdict (DESIGN §5), valid or not, and always audited.</summary>
internal sealed record VerifyCode(StaffMember Staff, string? Qr, string? CheckpointId) : ICommand<Result<Verdict>>;

internal sealed class VerifyCodeValidator : IValidator<VerifyCode>
{
    public IReadOnlyList<FieldError> Validate(VerifyCode message) =>
        CheckpointMatch.Check(message.Staff, message.CheckpointId) is { } error ? [error] : [];
}

/// <summary>
/// Checks the signature against keys held in memory and the code's status version against the
/// in-memory index: no store read, so scans go on while PostgreSQL is down. The one wait is for the scan's audit
/// entry (DESIGN §10 "Audit durability"): the verdict is answered only once the entry is committed (on PostgreSQL to
/// the instance's spool), carrying its <c>scanId</c>; a scan the audit cannot take is answered 503
/// <c>audit_unavailable</c>, never with a verdict.
/// </summary>
internal sealed class VerifyCodeHandler(
    HealthCodeVerifier verifier,
    TrustStore trust,
    CodeStatusIndex statusIndex,
    PartnerStatusClient partnerStatus,
    PartnerTrust partners,
    IOptions<HealthCodeOptions> options,
    AuditLog audit,
    ScanMetrics scans,
    TimeProvider time)
    : ICommandHandler<VerifyCode, Result<Verdict>>
{
    public async ValueTask<Result<Verdict>> Handle(VerifyCode command, CancellationToken cancellationToken)
    {
        var result = verifier.Verify(command.Qr ?? "");
        var claims = result.Claims;
        if (claims is not null && trust.IsOwn(claims.Issuer) && statusIndex.IsSuperseded(claims.CodeId, claims.StatusVersion))
        {
            // A newer declaration changed this code: the token shows a colour that no longer holds.
            result = VerificationResult.Failure(VerificationError.CodeRevoked);
        }

        string? statusCheck = null;
        if (result.Claims is { } partnerClaims && !trust.IsOwn(partnerClaims.Issuer) && options.Value.Federation.OnlineStatusCheck)
        {
            var check = await partnerStatus.CheckAsync(partnerClaims, cancellationToken);
            statusCheck = check.ToString().ToLowerInvariant();
            if (check == StatusCheckOutcome.Changed)
            {
                result = VerificationResult.Failure(VerificationError.CodeRevoked);
            }
        }

        var verdict = Verdict.From(result, trust) with { StatusCheck = statusCheck, Route = Route(result) };
        var outcome = verdict.Valid ? $"valid_{verdict.Color}" : verdict.Error!.Code;
        scans.Count(outcome);
        var recorded = await audit.RecordAsync(new AuditEvent(
            time.GetUtcNow(),
            command.Staff.CheckpointId,
            command.Staff.StaffId,
            "verify",
            claims?.Issuer ?? verdict.Issuer,
            claims?.CodeId,
            outcome), cancellationToken);
        if (recorded.Problem is { } unavailable)
        {
            return unavailable;
        }

        return verdict with { ScanId = recorded.Value };
    }

    /// <summary>Which trust a valid code was verified by (DESIGN §4.3): the staff member sees a hub-vouched partner as such.</summary>
    private string? Route(VerificationResult result) => result.Claims is not { } claims ? null
        : trust.IsOwn(claims.Issuer) ? Verdict.OwnRoute
        : partners.RouteOf(claims.Issuer) == PartnerSource.Hub ? Verdict.HubRoute
        : Verdict.BilateralRoute;
}

internal static class VerifyCodeEndpoint
{
    public static void MapVerifyCode(this RouteGroupBuilder group) => group
        .MapPost("/verify", async Task<Results<Ok<Verdict>, ProblemHttpResult>> (
            JsonBody<VerifyRequest> body, HttpContext context, IMediator mediator, CancellationToken ct) =>
            body.Problem is { } invalid
                ? invalid.ToResult()
                : await mediator.Send(new VerifyCode(StaffMember.From(context.User), body.Value!.Qr, body.Value.CheckpointId), ct)
                    .Answer(TypedResults.Ok))
        .Accepts<VerifyRequest>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
        .WithName("VerifyCode")
        .WithSummary("Verify a scanned code")
        .WithDescription("200 with a verdict for every scanned input, valid or not: colour, issuer, masked name, ID tail, times, source (local or partner), route (own, bilateral or hub: how the issuer's key is trusted, for a valid code), scanId and, when invalid, an error code from DESIGN §5. Every scan is audited before it is answered: scanId names its audit entry (the scanId of the entry in GET /api/v1/admin/audit), an opaque string: on SQLite the entry's seq in decimal, on PostgreSQL the instance's id and its spool seq (the entry is committed to the instance's local spool and shipped into the shared chain soon after, so scans go on while PostgreSQL is down). 503 with code audit_unavailable when the audit cannot store the scan: no verdict without its audit entry.");
}
