using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Auth;

/// <summary><c>POST /api/v1/auth/login {phone, code}</c>: trade a one-time code for a resident session.</summary>
internal sealed record Login(string? Phone, string? Code) : ICommand<Result<Session>>;

internal sealed record Session(string Token, DateTimeOffset ExpiresAt);

internal sealed class LoginValidator : IValidator<Login>
{
    public IReadOnlyList<FieldError> Validate(Login message)
    {
        var errors = new List<FieldError>();
        if (!PhoneNumber.IsValid(message.Phone))
        {
            errors.Add(new FieldError("phone", "phone_invalid", "Enter an 11-digit mainland mobile number, e.g. 13800138000."));
        }

        if (message.Code is not { Length: 6 } code || !code.All(char.IsAsciiDigit))
        {
            errors.Add(new FieldError("code", "otp_format", "Enter the 6-digit code from the SMS."));
        }

        return errors;
    }
}

internal sealed class LoginHandler(PhoneCodeCheck phoneCodes, IHealthCodeStore store, IOptions<HealthCodeOptions> options, TimeProvider time)
    : ICommandHandler<Login, Result<Session>>
{
    public async ValueTask<Result<Session>> Handle(Login command, CancellationToken cancellationToken)
    {
        var phone = command.Phone!;
        if (await phoneCodes.CheckAsync(phone, command.Code!, cancellationToken) is { } refused)
        {
            return refused;
        }

        var now = time.GetUtcNow();
        var residentId = await store.GetOrCreateResidentAsync(phone, now, cancellationToken);
        var token = Secrets.NewToken();
        var expiresAt = now + options.Value.Sessions.Lifetime;
        await store.CreateSessionAsync(Secrets.Hash(token), residentId, expiresAt, cancellationToken);
        return new Session(token, expiresAt);
    }
}

internal static class LoginEndpoint
{
    public static void MapLogin(this RouteGroupBuilder group) => group
        .MapPost("/login", async Task<Results<Ok<Session>, ProblemHttpResult>> (JsonBody<Login> body, IMediator mediator, HttpContext http, CancellationToken ct) =>
            body.Problem is { } invalid
                ? invalid.ToResult()
                : await mediator.Send(body.Value!, ct).Answer(http.Response, TypedResults.Ok))
        .Accepts<Login>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
        .WithName("Login")
        .WithSummary("Log in with the one-time code")
        .WithDescription(
            "Returns a resident session token to send as 'Authorization: Bearer <token>'. A phone's wrong codes are limited " +
            "across every code sent to it: once spent, 429 with code otp_rate_limited_guesses and Retry-After in seconds. " +
            "503 with code rate_limit_unavailable or otp_unavailable, and Retry-After, while the instances' shared Redis is unreachable.");
}
