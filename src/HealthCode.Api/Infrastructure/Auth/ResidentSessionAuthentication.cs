using System.Security.Claims;
using System.Text.Encodings.Web;
using HealthCode.Api.Infrastructure.Http;
using HealthCode.Api.Infrastructure.Store;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace HealthCode.Api.Infrastructure.Auth;

/// <summary>
/// Authenticates a resident by the opaque session token from login (<c>Authorization: Bearer</c>).
/// The store holds only the token's hash. A failure is answered as problem details with a code
/// saying whether the token was missing, unknown or expired, so the page knows to log in again.
/// </summary>
internal sealed class ResidentSessionAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IHealthCodeStore store,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ResidentSession";
    public const string ResidentIdClaim = "resident_id";
    private const string FailureKey = "healthcode.auth.failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Fail("session_missing", "Log in first: send the session token as 'Authorization: Bearer <token>'.");
        }

        var token = header["Bearer ".Length..].Trim();
        if (token.Length is 0 or > 128)
        {
            return Fail("session_invalid", "The session token is not valid. Log in again.");
        }

        var session = await store.FindSessionAsync(Secrets.Hash(token), Context.RequestAborted);
        if (session is null)
        {
            return Fail("session_invalid", "The session token is not valid. Log in again.");
        }

        if (time.GetUtcNow() >= session.ExpiresAt)
        {
            return Fail("session_expired", "The session has expired. Log in again.");
        }

        var identity = new ClaimsIdentity([new Claim(ResidentIdClaim, session.ResidentId)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var problem = Context.Items[FailureKey] as ApiProblem
            ?? new ApiProblem(StatusCodes.Status401Unauthorized, "session_missing", "Log in first.");
        Response.Headers.WWWAuthenticate = "Bearer";
        return problem.WriteAsync(Context);
    }

    private AuthenticateResult Fail(string code, string title)
    {
        Context.Items[FailureKey] = new ApiProblem(StatusCodes.Status401Unauthorized, code, title);
        return AuthenticateResult.Fail(code);
    }
}

internal static class ResidentPrincipal
{
    public static string ResidentId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ResidentSessionAuthentication.ResidentIdClaim)
        ?? throw new InvalidOperationException("The endpoint must require the resident session scheme.");
}
