namespace HealthCode.Trust.Verification.Rules;

/// <summary>
/// RFC 7519 §4.1.4 (<c>exp</c>: reject on or after it), §4.1.5 (<c>nbf</c>: reject before it), and an
/// <c>iat</c> in the future (a wrong clock or a forgery), each with the explicit clock skew (RFC 7519 §4.1.4
/// "some small leeway"). Time comes from <see cref="TimeProvider"/>, in UTC seconds.
/// </summary>
internal static class LifetimeRule
{
    public static VerificationError? Check(in TokenClaims claims, DateTimeOffset now, TimeSpan clockSkew) =>
        Check(claims.IssuedAt, claims.ExpiresAt, claims.NotBefore, now, clockSkew);

    /// <summary>The same rule for any signed document with <c>iat</c>, <c>exp</c> and an optional <c>nbf</c> (Unix seconds).</summary>
    public static VerificationError? Check(long issuedAt, long expiresAt, long? notBefore, DateTimeOffset now, TimeSpan clockSkew)
    {
        long nowSeconds = now.ToUnixTimeSeconds();
        long skew = (long)clockSkew.TotalSeconds;
        if (nowSeconds >= expiresAt + skew)
        {
            return VerificationError.Expired;
        }

        if (issuedAt > nowSeconds + skew || (notBefore is { } nbf && nbf > nowSeconds + skew))
        {
            return VerificationError.NotYetValid;
        }

        return null;
    }
}
