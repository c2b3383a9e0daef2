using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;

namespace HealthCode.Api.Infrastructure.Auth;

/// <summary>
/// A bearer-token scheme whose failures are answered as problem details with a stable code
/// (missing, invalid, expired, revoked), so a client knows whether to log in again or ask an
/// operator for a new token.
/// </summary>
internal abstract class BearerAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string FailureKey = "healthcode.auth.failure";
    private const int MaxTokenLength = 256;

    /// <summary>The prefix of this scheme's codes: <c>session</c>, <c>staff_token</c>, <c>operator_key</c>.</summary>
    protected abstract string CodePrefix { get; }

    protected abstract Task<AuthenticateResult> AuthenticateAsync(string token);

    protected sealed override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(Fail("missing", "Send the token as 'Authorization: Bearer <token>'."));
        }

        var token = header["Bearer ".Length..].Trim();
        return token.Length is 0 or > MaxTokenLength
            ? Task.FromResult(Fail("invalid", "The token is not valid."))
            : AuthenticateAsync(token);
    }

    protected sealed override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var problem = Context.Items[FailureKey] as ApiProblem
            ?? new ApiProblem(StatusCodes.Status401Unauthorized, $"{CodePrefix}_missing", "Send the token as 'Authorization: Bearer <token>'.");
        Response.Headers.WWWAuthenticate = "Bearer";
        return problem.WriteAsync(Context);
    }

    protected AuthenticateResult Fail(string reason, string title)
    {
        var code = $"{CodePrefix}_{reason}";
        Context.Items[FailureKey] = new ApiProblem(StatusCodes.Status401Unauthorized, code, title);
        return AuthenticateResult.Fail(code);
    }

    /// <summary>
    /// The answer for a token whose record was found: revoked (an operator's act) before expired (time), each with its
    /// code and "The <paramref name="noun"/> was revoked. <paramref name="remedy"/>"; else the caller with its claims.
    /// </summary>
    protected AuthenticateResult Judge(
        string noun, string remedy, DateTimeOffset? revokedAt, DateTimeOffset expiresAt, DateTimeOffset now, Func<System.Security.Claims.Claim[]> claims)
    {
        if (revokedAt is not null)
        {
            return Fail("revoked", $"The {noun} was revoked. {remedy}");
        }

        return now >= expiresAt ? Fail("expired", $"The {noun} has expired. {remedy}") : Succeed(claims());
    }

    protected AuthenticateResult Succeed(params System.Security.Claims.Claim[] claims)
    {
        var identity = new System.Security.Claims.ClaimsIdentity(claims, Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new System.Security.Claims.ClaimsPrincipal(identity), Scheme.Name));
    }
}
