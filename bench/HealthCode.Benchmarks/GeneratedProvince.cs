using HealthCode.Api.Features.Declarations;
using HealthCode.Trust.Keys;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;

namespace HealthCode.Benchmarks;

/// <summary>
/// A partner province made up for a benchmark: a fresh root and issuer key (never written to disk), and its trust
/// list signed by that root, as <c>healthcode trust-list sign</c> would sign it.
/// </summary>
internal sealed class GeneratedProvince : IDisposable
{
    /// <summary>How long a generated list lives: the service's default list lifetime (HealthCode:Federation:ListLifetime).</summary>
    public static readonly TimeSpan ListLifetime = TimeSpan.FromDays(7);

    private GeneratedProvince(string issuer, string name)
    {
        Issuer = issuer;
        Name = name;
    }

    public string Issuer { get; }

    public string Name { get; }

    public EcKey Root { get; } = EcKey.Generate();

    public EcKey IssuerKey { get; } = EcKey.Generate();

    /// <summary>One province per GB/T 2260 province-level code (<c>dd0000</c>) of the shipped region table, in order.</summary>
    /// <param name="except">Codes to leave out, e.g. the provinces that have sample keys.</param>
    public static List<GeneratedProvince> ForEveryProvince(params string[] except) =>
        [.. RegionCodes.Provinces()
            .Where(code => !except.Contains(code, StringComparer.Ordinal))
            .Select(code => new GeneratedProvince(code, RegionCodes.Name(code)!))];

    /// <summary>Its trust list (seq 1, one active issuer key), issued an hour before <paramref name="now"/>, signed by its root.</summary>
    public string SignList(DateTimeOffset now) => SignList(Issuer, Name, IssuerKey, Root, now);

    /// <summary>A one-key trust list (seq 1), issued an hour before <paramref name="now"/>, signed by <paramref name="root"/>.</summary>
    public static string SignList(string issuer, string name, EcKey issuerKey, EcKey root, DateTimeOffset now)
    {
        var issuedAt = now.AddHours(-1);
        var list = new TrustList(issuer, name, 1, issuedAt, issuedAt + ListLifetime, [new TrustListKey(issuerKey, KeyStatus.Active, null, null)]);
        return TrustListCodec.Sign(list, root);
    }

    /// <summary>What a partner does with a fetched list: verify it against the pinned root, then trust its keys.</summary>
    /// <exception cref="InvalidOperationException">The list does not verify: the benchmark's setup is wrong.</exception>
    public static void Trust(TrustStore store, string jws, EcKey pinnedRoot, string issuer, DateTimeOffset now)
    {
        var result = TrustListCodec.Verify(jws, pinnedRoot, issuer, store.HeldSeq(issuer), now, TrustListCodec.DefaultClockSkew);
        if (!result.IsValid || !store.SetPartner(result.List))
        {
            throw new InvalidOperationException($"The generated trust list of {issuer} was not accepted ({result.Error?.ToCode()}).");
        }
    }

    public void Dispose()
    {
        Root.Dispose();
        IssuerKey.Dispose();
    }
}
