using HealthCode.Trust.Keys;

namespace HealthCode.Trust.Verification;

/// <summary>The status of an issuer key in its province's trust list (DESIGN §4.2).</summary>
public enum KeyStatus
{
    /// <summary>Signs new codes.</summary>
    Active,

    /// <summary>No longer signs, but still verifies the codes it signed until they expire.</summary>
    Retired,

    /// <summary>Compromised: every code it signed is rejected with <c>key_revoked</c>.</summary>
    Revoked,
}

/// <summary>A trusted issuer key.</summary>
/// <param name="Key">The public key (P-256).</param>
/// <param name="Status">Its status in the trust list.</param>
/// <param name="NotAfter">The end of its validity window: after this instant (plus the clock skew) the key verifies nothing. Null: no end.</param>
/// <param name="NotBefore">The start of its validity window: before this instant (minus the clock skew) the key verifies nothing. Null: no start.</param>
public sealed record IssuerKeyEntry(EcKey Key, KeyStatus Status, DateTimeOffset? NotAfter, DateTimeOffset? NotBefore = null);

/// <summary>Where a verifier finds the keys of trusted issuers: the province's own keys and its partners'.</summary>
public interface IIssuerKeyResolver
{
    /// <summary>
    /// Every key of <paramref name="issuer"/> published under <paramref name="kid"/>. Kids are truncated
    /// thumbprints and may collide, so more than one key can come back; the verifier tries each.
    /// </summary>
    /// <param name="issuer">The token's <c>iss</c>.</param>
    /// <param name="kid">The token header's <c>kid</c>.</param>
    /// <returns>The keys, possibly none; revoked keys included, so the verifier can say <c>key_revoked</c>.</returns>
    IReadOnlyList<IssuerKeyEntry> Find(string issuer, string kid);

    /// <summary>True when the issuer is trusted at all (it has a trust list here).</summary>
    /// <param name="issuer">The token's <c>iss</c>.</param>
    /// <returns>Whether the issuer is known.</returns>
    bool KnowsIssuer(string issuer);

    /// <summary>
    /// True when the issuer's trust list is past its <c>exp</c> (DESIGN §4.5): its keys can no longer be trusted,
    /// so its codes fail with <c>trust_list_stale</c> before any signature is checked. A resolver whose keys never
    /// expire (own keys, tests) keeps the default, false.
    /// </summary>
    /// <param name="issuer">The token's <c>iss</c>, already known to <see cref="KnowsIssuer"/>.</param>
    /// <param name="now">The verifier's current time (UTC).</param>
    /// <returns>Whether the issuer's keys are stale.</returns>
    bool IsStale(string issuer, DateTimeOffset now) => false;
}
