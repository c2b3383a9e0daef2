using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using HealthCode.Api.Infrastructure.Store;
using Microsoft.AspNetCore.Authentication;

namespace HealthCode.Api.Infrastructure.Auth;

/// <summary>
/// The staff tokens this instance has seen, in memory, so that a scan does not wait on the store
/// to authenticate. A token not yet seen is read from the store once; a revocation made here
/// takes effect at once.
/// </summary>
internal sealed class StaffDirectory(IStaffStore store)
{
    private readonly ConcurrentDictionary<string, StaffRecord> byTokenHash = new(StringComparer.Ordinal);

    public async ValueTask<StaffRecord?> FindAsync(string tokenHash, CancellationToken cancellationToken)
    {
        if (byTokenHash.TryGetValue(tokenHash, out var known))
        {
            return known;
        }

        var stored = await store.FindByTokenHashAsync(tokenHash, cancellationToken);
        return stored is null ? null : byTokenHash.GetOrAdd(tokenHash, stored);
    }

    public async Task CreateAsync(StaffRecord staff, CancellationToken cancellationToken)
    {
        await store.CreateAsync(staff, cancellationToken);
        byTokenHash[staff.TokenHash] = staff;
    }

    public async Task<bool> RevokeAsync(string staffId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!await store.RevokeAsync(staffId, at, cancellationToken))
        {
            return false;
        }

        foreach (var (hash, staff) in byTokenHash.Where(p => p.Value.Id == staffId))
        {
            byTokenHash[hash] = staff with { RevokedAt = staff.RevokedAt ?? at };
        }

        return true;
    }
}

/// <summary>
/// Authenticates checkpoint staff by the bearer token an operator issued. Codes:
/// <c>staff_token_missing</c>, <c>_invalid</c>, <c>_expired</c>, <c>_revoked</c>.
/// </summary>
internal sealed class StaffAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    StaffDirectory staff,
    TimeProvider time)
    : BearerAuthentication(options, logger, encoder)
{
    public const string SchemeName = "Staff";
    public const string StaffIdClaim = "staff_id";
    public const string CheckpointClaim = "checkpoint_id";
    public const string NameClaim = "staff_name";
    public const string ExpiresAtClaim = "staff_expires_at";

    protected override string CodePrefix => "staff_token";

    protected override async Task<AuthenticateResult> AuthenticateAsync(string token)
    {
        const string Remedy = "Ask an operator for a new one.";
        var member = await staff.FindAsync(Secrets.Hash(token), Context.RequestAborted);
        return member is null
            ? Fail("invalid", $"The staff token is not valid. {Remedy}")
            : Judge("staff token", Remedy, member.RevokedAt, member.ExpiresAt, time.GetUtcNow(),
                () =>
                [
                    new Claim(StaffIdClaim, member.Id),
                    new Claim(CheckpointClaim, member.CheckpointId),
                    // For GET /api/v1/staff/me, which answers the token's own record without another store read.
                    new Claim(NameClaim, member.Name),
                    new Claim(ExpiresAtClaim, member.ExpiresAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ]);
    }
}

/// <summary>Who is scanning, from the staff token.</summary>
internal sealed record StaffMember(string StaffId, string CheckpointId)
{
    public static StaffMember From(ClaimsPrincipal user) => new(
        user.FindFirstValue(StaffAuthentication.StaffIdClaim) ?? throw new InvalidOperationException("The endpoint must require the staff scheme."),
        user.FindFirstValue(StaffAuthentication.CheckpointClaim)!);
}
