using HealthCode.Trust.Keys;

namespace HealthCode.Trust.Federation;

/// <summary>A member's standing in the hub's federation list (DESIGN §4.3).</summary>
public enum MemberStatus
{
    /// <summary>Recognised: provinces that trust the hub fetch its trust list with the listed root and accept its codes.</summary>
    Active,

    /// <summary>Listed but not recognised (e.g. a pending or paused membership): its codes are not accepted through the hub.</summary>
    Suspended,
}

/// <summary>One member province of the federation (DESIGN §4.3).</summary>
/// <param name="Issuer">The province: its 6-digit GB/T 2260 code (<c>iss</c>).</param>
/// <param name="Name">Its display name, e.g. <c>河南省</c>.</param>
/// <param name="RootKey">Its root public key (P-256), which signs its trust list; the hub vouches for it.</param>
/// <param name="TrustListUrl">Where its trust list is fetched: an absolute <c>http</c> or <c>https</c> URL.</param>
/// <param name="Status">Whether it is recognised now.</param>
public sealed record FederationMember(string Issuer, string Name, EcKey RootKey, string TrustListUrl, MemberStatus Status)
{
    /// <summary>True when the member is recognised (<see cref="MemberStatus.Active"/>).</summary>
    public bool IsActive => Status == MemberStatus.Active;
}

/// <summary>
/// The hub's federation list (DESIGN §4.3, docs/FEDERATION-FORMAT.md): the member provinces and their root keys, signed
/// by the hub's anchor key. Times are whole seconds (UTC).
/// </summary>
/// <param name="Seq">Sequence number; strictly increasing on every change (<c>seq</c>).</param>
/// <param name="IssuedAt">When the list was signed (<c>iat</c>).</param>
/// <param name="ExpiresAt">When it becomes void (<c>exp</c>).</param>
/// <param name="Members">The members (<c>members</c>), each issuer once.</param>
public sealed record FederationList(long Seq, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, IReadOnlyList<FederationMember> Members);
