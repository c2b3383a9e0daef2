using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using HealthCode.Api.Infrastructure.Store;
using Microsoft.AspNetCore.Authentication;

namespace HealthCode.Api.Infrastructure.Auth;

/// <summary>
/// The staff tokens this instance has seen, in memory, so that a scan does not wait on the store
/// to authenticate. A token not yet seen is read from the store, and read again once its entry is older than
/// <c>HealthCode:Staff:TokenCacheLifetime</c>. A revocation made here takes effect here at once and reaches the
/// other instances of the province through <see cref="IStaffRevocationFeed"/> (DESIGN §11); while that feed is
/// cut, every token is read from the store. While the store does not answer, a token seen before is answered from
/// here, so scans go on through a PostgreSQL outage (issue 13).
/// </summary>
internal sealed class StaffDirectory
{
    private readonly ConcurrentDictionary<string, Cached> byTokenHash = new(StringComparer.Ordinal);
    private readonly IStaffStore store;
    private readonly IStaffRevocationFeed revocations;
    private readonly TimeProvider time;
    private readonly TimeSpan lifetime;

    // Moved on by every revocation heard: a store read that started before one is answered but not cached, since
    // it may predate the revocation it would then hide until the entry ages out.
    private long generation;

    public StaffDirectory(IStaffStore store, IStaffRevocationFeed revocations, IOptions<HealthCodeOptions> options, TimeProvider time)
    {
        this.store = store;
        this.revocations = revocations;
        this.time = time;
        lifetime = options.Value.Staff.TokenCacheLifetime;
        revocations.Subscribe(Forget, ForgetAll);
    }

    public async ValueTask<StaffRecord?> FindAsync(string tokenHash, CancellationToken cancellationToken)
    {
        if (revocations.IsLive && byTokenHash.TryGetValue(tokenHash, out var known) && time.GetElapsedTime(known.ReadAt) < lifetime)
        {
            return known.Staff;
        }

        var before = Volatile.Read(ref generation);
        StaffRecord? stored;
        try
        {
            stored = await store.FindByTokenHashAsync(tokenHash, cancellationToken);
        }
        catch (Exception e) when (StoreUnavailable.Is(e) && byTokenHash.TryGetValue(tokenHash, out var remembered))
        {
            // The store does not answer (PostgreSQL down): scans go on for a token this instance validated before, however
            // long ago, as long as no revocation it heard took it out of the cache. A revocation needs the store too, so
            // none is made anywhere while this lasts; expiry and a revocation already known are still judged by the caller.
            return remembered.Staff;
        }

        if (stored is not null && Volatile.Read(ref generation) == before)
        {
            byTokenHash[tokenHash] = new Cached(stored, time.GetTimestamp());
        }

        return stored;
    }

    public async Task CreateAsync(StaffRecord staff, CancellationToken cancellationToken)
    {
        await store.CreateAsync(staff, cancellationToken);
        byTokenHash[staff.TokenHash] = new Cached(staff, time.GetTimestamp());
    }

    public async Task<bool> RevokeAsync(string staffId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!await store.RevokeAsync(staffId, at, cancellationToken))
        {
            return false;
        }

        foreach (var (hash, cached) in byTokenHash.Where(p => p.Value.Staff.Id == staffId))
        {
            byTokenHash[hash] = cached with { Staff = cached.Staff with { RevokedAt = cached.Staff.RevokedAt ?? at } };
        }

        // After the store: an instance that hears this reads the token again and finds it revoked.
        await revocations.PublishAsync(staffId);
        return true;
    }

    /// <summary>Another instance revoked <paramref name="staffId"/>: its tokens are read from the store again.</summary>
    private void Forget(string staffId)
    {
        Interlocked.Increment(ref generation);
        foreach (var (hash, cached) in byTokenHash.Where(p => p.Value.Staff.Id == staffId))
        {
            byTokenHash.TryRemove(new KeyValuePair<string, Cached>(hash, cached));
        }
    }

    /// <summary>Revocations may have been missed (the channel was cut): every token is read from the store again.</summary>
    private void ForgetAll()
    {
        Interlocked.Increment(ref generation);
        byTokenHash.Clear();
    }

    /// <param name="ReadAt">When it was read (<see cref="TimeProvider.GetTimestamp"/>).</param>
    private sealed record Cached(StaffRecord Staff, long ReadAt);
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
