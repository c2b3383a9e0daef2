using System.Security.Claims;
using System.Text.Encodings.Web;
using HealthCode.Api.Infrastructure.Store;
using Microsoft.AspNetCore.Authentication;

namespace HealthCode.Api.Infrastructure.Auth;

/// <summary>
/// Authenticates a resident by the opaque session token from login. The store holds only the
/// token's hash. Codes: <c>session_missing</c>, <c>session_invalid</c>, <c>session_expired</c>.
/// </summary>
internal sealed class ResidentSessionAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IHealthCodeStore store,
    TimeProvider time)
    : BearerAuthentication(options, logger, encoder)
{
    public const string SchemeName = "ResidentSession";
    public const string ResidentIdClaim = "resident_id";

    protected override string CodePrefix => "session";

    protected override async Task<AuthenticateResult> AuthenticateAsync(string token)
    {
        var session = await store.FindSessionAsync(Secrets.Hash(token), Context.RequestAborted);
        if (session is null)
        {
            return Fail("invalid", "The session token is not valid. Log in again.");
        }

        return time.GetUtcNow() >= session.ExpiresAt
            ? Fail("expired", "The session has expired. Log in again.")
            : Succeed(new Claim(ResidentIdClaim, session.ResidentId));
    }
}

internal static class ResidentPrincipal
{
    public static string ResidentId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ResidentSessionAuthentication.ResidentIdClaim)
        ?? throw new InvalidOperationException("The endpoint must require the resident session scheme.");
}
