using HealthCode.Trust.Keys;
using HealthCode.Trust.Verification;

namespace HealthCode.Trust.TrustLists;

/// <summary>One issuer key in a province's trust list (DESIGN §4.2): the public key, its status and its validity window.</summary>
/// <param name="Key">The public key (P-256). Published under <see cref="EcKey.Kid"/>.</param>
/// <param name="Status"><c>active</c> signs new codes; <c>retired</c> still verifies its codes until they expire; <c>revoked</c> verifies nothing.</param>
/// <param name="NotBefore">The start of the key's validity window (JWK <c>nbf</c>), if any.</param>
/// <param name="NotAfter">The end of the key's validity window (JWK <c>exp</c>), if any.</param>
public sealed record TrustListKey(EcKey Key, KeyStatus Status, DateTimeOffset? NotBefore, DateTimeOffset? NotAfter);

/// <summary>
/// A province's trust list (DESIGN §4.2, docs/TRUST-LIST-FORMAT.md): the issuer keys a partner may trust for
/// the province's codes, signed by the province's root key. Times are whole seconds (UTC).
/// </summary>
/// <param name="Issuer">The province: its 6-digit GB/T 2260 code (<c>iss</c>).</param>
/// <param name="Name">The province's display name, e.g. <c>河南省</c> (<c>name</c>).</param>
/// <param name="Seq">The list's sequence number; strictly increasing on every change (<c>seq</c>).</param>
/// <param name="IssuedAt">When the list was signed (<c>iat</c>).</param>
/// <param name="ExpiresAt">When the list becomes void (<c>exp</c>): past it, the issuer's codes fail with <c>trust_list_stale</c>.</param>
/// <param name="Keys">The issuer keys (<c>keys</c>, a JWK set).</param>
public sealed record TrustList(
    string Issuer,
    string Name,
    long Seq,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<TrustListKey> Keys);
