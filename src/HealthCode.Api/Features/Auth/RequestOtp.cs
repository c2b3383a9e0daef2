using System.Net;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Features.Auth;

/// <summary>
/// <c>POST /api/v1/auth/otp {phone}</c>: send a one-time login code by SMS, within the limits of
/// <see cref="OtpLimits"/> (per client address, per phone, overall).
/// </summary>
internal sealed record RequestOtp(string? Phone) : ICommand<Result<OtpSent>>
{
    /// <summary>
    /// The client's address (<see cref="ClientAddress"/>), set by the endpoint. Not public, so the JSON reader
    /// does not know it: a body that names it is refused as an unknown field.
    /// </summary>
    internal IPAddress? From { get; init; }
}

/// <param name="ExpiresAt">When the code stops working.</param>
/// <param name="ResendAfterSeconds">
/// How long until this phone may ask for another code (<c>HealthCode:Otp:ResendInterval</c>, refused before then
/// with <c>otp_too_frequent</c>): a count of seconds rather than an instant, so a phone whose clock is wrong still
/// counts down the time the service enforces.
/// </param>
/// <param name="DevCode">The code itself, only in Development, where no SMS is sent.</param>
internal sealed record OtpSent(DateTimeOffset ExpiresAt, int ResendAfterSeconds, string? DevCode);

internal sealed class RequestOtpValidator : IValidator<RequestOtp>
{
    public IReadOnlyList<FieldError> Validate(RequestOtp message) => PhoneNumber.IsValid(message.Phone)
        ? []
        : [new FieldError("phone", "phone_invalid", "Enter an 11-digit mainland mobile number, e.g. 13800138000.")];
}

internal sealed class RequestOtpHandler(
    OtpLimits limits, IOneTimeCodes codes, ISmsSender sms, IHostEnvironment environment, IOptions<HealthCodeOptions> options)
    : ICommandHandler<RequestOtp, Result<OtpSent>>
{
    public async ValueTask<Result<OtpSent>> Handle(RequestOtp command, CancellationToken cancellationToken)
    {
        var phone = command.Phone!;
        if (await limits.TrySendAsync(command.From, phone, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (await codes.IssueAsync(phone, cancellationToken) is not { } issued)
        {
            return PhoneCodeCheck.CodesUnavailable;
        }

        await sms.SendOneTimeCodeAsync(phone, issued.Code, cancellationToken);
        // Rounded up, as Retry-After is (ApiProblem): a page that waits this long is never refused.
        var resendAfter = (int)Math.Ceiling(options.Value.Otp.ResendInterval.TotalSeconds);
        return new OtpSent(issued.ExpiresAt, resendAfter, environment.IsDevelopment() ? issued.Code : null);
    }
}

internal static class RequestOtpEndpoint
{
    public static void MapRequestOtp(this RouteGroupBuilder group) => group
        .MapPost("/otp", async Task<Results<Accepted<OtpSent>, ProblemHttpResult>> (JsonBody<RequestOtp> body, IMediator mediator, HttpContext http, CancellationToken ct) =>
            body.Problem is { } invalid
                ? invalid.ToResult()
                : await mediator.Send(body.Value! with { From = http.Connection.RemoteIpAddress }, ct)
                    .Answer(http.Response, sent => TypedResults.Accepted((string?)null, sent)))
        .Accepts<RequestOtp>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
        .WithName("RequestOtp")
        .WithSummary("Send a one-time login code by SMS")
        .WithDescription(
            "Sends a 6-digit code to the phone: {expiresAt, resendAfterSeconds (how long until another code may be asked for this phone), devCode?}. In Development no SMS is sent and the response carries it as devCode. " +
            "Limited per client address, per phone and overall: 429 with code otp_rate_limited_address, otp_too_frequent, " +
            "otp_rate_limited_phone or otp_rate_limited_global, and Retry-After in seconds. " +
            "503 with code rate_limit_unavailable or otp_unavailable, and Retry-After, while the instances' shared Redis is unreachable.");
}
