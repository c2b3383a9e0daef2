namespace HealthCode.Trust.Verification.Rules;

/// <summary>
/// Finds the trusted keys a token may be signed with: its issuer must be trusted (<c>unknown_issuer</c>)
/// with a trust list that is not past its <c>exp</c> (<c>trust_list_stale</c>, DESIGN §4.5), and publish at least
/// one key, inside its validity window, under the token's kid (<c>unknown_key</c>).
/// Keys come only from the trust store, never from the token (RFC 8725 §3.10). The only key type there is
/// EC P-256, so the ES256 allow-list also rules out an alg/key-type mismatch (RFC 8725 §3.1).
/// </summary>
internal static class KeySelectionRule
{
    public static VerificationError? Check(
        IIssuerKeyResolver keys, string issuer, string kid, DateTimeOffset now, TimeSpan clockSkew, out IReadOnlyList<IssuerKeyEntry> candidates)
    {
        candidates = [];
        if (!keys.KnowsIssuer(issuer))
        {
            return VerificationError.UnknownIssuer;
        }

        if (keys.IsStale(issuer, now))
        {
            return VerificationError.TrustListStale;
        }

        candidates = keys.Find(issuer, kid);
        for (int i = 0; i < candidates.Count; i++)
        {
            if (IsUsable(candidates[i], now, clockSkew))
            {
                return null;
            }
        }

        return VerificationError.UnknownKey;
    }

    /// <summary>Outside its window (<see cref="IssuerKeyEntry.NotBefore"/> minus skew to <see cref="IssuerKeyEntry.NotAfter"/> plus skew) a key is treated as unpublished.</summary>
    public static bool IsUsable(IssuerKeyEntry entry, DateTimeOffset now, TimeSpan clockSkew) =>
        (entry.NotAfter is not { } notAfter || now <= notAfter + clockSkew)
        && (entry.NotBefore is not { } notBefore || now >= notBefore - clockSkew);
}

/// <summary>
/// The kid (RFC 7515 §4.1.4) is a truncated thumbprint and may be shared, so every usable key published
/// under it is tried (DESIGN §4.1); the first that verifies is the signer.
/// </summary>
internal static class SignerRule
{
    public static VerificationError? Check(
        IReadOnlyList<IssuerKeyEntry> candidates,
        DateTimeOffset now,
        TimeSpan clockSkew,
        ReadOnlySpan<byte> signingInput,
        ReadOnlySpan<byte> signature,
        out IssuerKeyEntry? signer)
    {
        for (int i = 0; i < candidates.Count; i++)
        {
            IssuerKeyEntry entry = candidates[i];
            if (KeySelectionRule.IsUsable(entry, now, clockSkew) && SignatureRule.Verifies(entry, signingInput, signature))
            {
                signer = entry;
                return null;
            }
        }

        signer = null;
        return VerificationError.BadSignature;
    }
}

/// <summary>
/// DESIGN §4.2: a revoked key is compromised, so nothing it signed is trusted (checked after the signature,
/// so the answer names the key that really signed); a retired key still verifies its codes until they expire.
/// </summary>
internal static class RevocationRule
{
    public static VerificationError? Check(IssuerKeyEntry signer) =>
        signer.Status == KeyStatus.Revoked ? VerificationError.KeyRevoked : null;
}
