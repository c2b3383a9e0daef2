using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using HealthCode.Trust.Jose;
using HealthCode.Trust.Keys;

namespace HealthCode.Trust.Federation;

/// <summary>
/// Signs and verifies the hub's federation list (DESIGN §4.3, §4.5; docs/FEDERATION-FORMAT.md): a compact JWS
/// (RFC 7515 §7.1), ES256, <c>typ</c> <c>hc-federation+jwt</c>, signed by the hub's anchor key, whose payload lists the
/// member provinces with their root public keys (RFC 7517 JWK) and trust-list URLs. Verification returns a value and
/// never throws on bad input.
/// </summary>
public static class FederationListCodec
{
    /// <summary>The JWS <c>typ</c> (RFC 7515 §4.1.9, RFC 8725 §3.11) of a federation list, and of nothing else.</summary>
    public const string Type = "hc-federation+jwt";

    /// <summary>The largest federation list read, in characters; anything longer is <see cref="FederationListError.Malformed"/> unparsed.</summary>
    public const int MaxLength = 256 * 1024;

    /// <summary>The most members one list may hold (China has 34 provincial-level divisions; this bounds the work).</summary>
    public const int MaxMembers = 256;

    /// <summary>The longest trust-list URL accepted.</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>Signs a federation list with the hub's anchor key.</summary>
    /// <param name="list">The list; times are truncated to whole seconds.</param>
    /// <param name="anchor">The hub's anchor key, with its private part. Not owned.</param>
    /// <returns>The compact JWS.</returns>
    /// <exception cref="ArgumentException">The anchor holds no private key, or the list breaks a rule of docs/FEDERATION-FORMAT.md
    /// (a member iss that is not 6 digits or appears twice, a root key twice or with its private part, a URL that is not absolute http(s)).</exception>
    public static string Sign(FederationList list, EcKey anchor)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(anchor);
        if (!anchor.HasPrivateKey)
        {
            throw new ArgumentException("The anchor key must hold its private part to sign a federation list.", nameof(anchor));
        }

        if (Validate(list) is { } problem)
        {
            throw new ArgumentException(problem, nameof(list));
        }

        var payload = new ArrayBufferWriter<byte>(2048);
        using (var writer = new Utf8JsonWriter(payload, Es256Jws.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("seq", list.Seq);
            writer.WriteNumber("iat", list.IssuedAt.ToUnixTimeSeconds());
            writer.WriteNumber("exp", list.ExpiresAt.ToUnixTimeSeconds());
            writer.WriteStartArray("members");
            foreach (FederationMember member in list.Members)
            {
                writer.WriteStartObject();
                writer.WriteString("iss", member.Issuer);
                writer.WriteString("name", member.Name);
                writer.WritePropertyName("rootKey");
                writer.WriteRawValue(member.RootKey.ToPublicJwk()); // RFC 7517 §4: kty, crv, x, y, kid, alg, use; never d
                writer.WriteString("trustListUrl", member.TrustListUrl);
                writer.WriteString("status", StatusName(member.Status));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Es256Jws.Sign(Type, anchor, payload.WrittenSpan);
    }

    /// <summary>
    /// Verifies a federation list against the pinned hub anchor key (DESIGN §4.5): ES256 only, <c>typ</c> checked,
    /// signature by the anchor, members valid, <c>seq</c> not lower than the one held (an equal one is an idempotent
    /// re-fetch), not expired.
    /// </summary>
    /// <param name="jws">The compact JWS as fetched or read from a cache; surrounding whitespace is ignored.</param>
    /// <param name="anchor">The hub's anchor public key, configured out of band.</param>
    /// <param name="heldSeq">The <c>seq</c> of the list held now, if any.</param>
    /// <param name="now">The current time (UTC), from a <see cref="TimeProvider"/>.</param>
    /// <param name="skew">Leeway for <c>exp</c>: zero or more.</param>
    /// <returns>The verified list (its root keys are new public-only keys), or the reason it was rejected.</returns>
    public static FederationListResult Verify(string jws, EcKey anchor, long? heldSeq, DateTimeOffset now, TimeSpan skew)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        ArgumentOutOfRangeException.ThrowIfLessThan(skew, TimeSpan.Zero);
        if (!Es256Jws.TryParse(jws, MaxLength, Type, out ParsedJws? parsed, out JwsFailure failure))
        {
            return FederationListResult.Failure(
                Es256Jws.Map(failure, FederationListError.Malformed, FederationListError.AlgorithmNotAllowed, FederationListError.WrongType));
        }

        // The signature is checked before the payload is parsed: nothing unsigned is read further.
        if (!parsed.IsSignedBy(anchor))
        {
            return FederationListResult.Failure(FederationListError.BadSignature);
        }

        if (!parsed.TryDecodePayload(out byte[] json) || !TryReadPayload(json, out FederationList? list))
        {
            return FederationListResult.Failure(FederationListError.Malformed);
        }

        if (heldSeq is { } held && list.Seq < held)
        {
            DisposeAll(list.Members);
            return FederationListResult.Failure(FederationListError.Rollback);
        }

        if (now >= list.ExpiresAt + skew)
        {
            DisposeAll(list.Members);
            return FederationListResult.Failure(FederationListError.Expired);
        }

        return FederationListResult.Success(list);
    }

    /// <summary>The JSON name of a member status.</summary>
    /// <param name="status">The status.</param>
    /// <returns><c>active</c> or <c>suspended</c>.</returns>
    public static string StatusName(MemberStatus status) => status switch
    {
        MemberStatus.Active => "active",
        MemberStatus.Suspended => "suspended",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown member status."),
    };

    /// <summary>The rule a member's trust-list URL follows: absolute, <c>http</c> or <c>https</c> (RFC 3986 §4.3), no user info, no fragment.</summary>
    internal static bool IsTrustListUrl(string? url) =>
        url is { Length: > 0 and <= MaxUrlLength }
        && Uri.TryCreate(url, UriKind.Absolute, out Uri? uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.UserInfo.Length == 0
        && uri.Fragment.Length == 0;

    /// <summary>What is wrong with a list this hub is about to sign, or null.</summary>
    private static string? Validate(FederationList list)
    {
        if (list.Members is null)
        {
            return "Members is required.";
        }

        if (list.Seq < 0)
        {
            return "Seq cannot be negative.";
        }

        if (list.ExpiresAt.ToUnixTimeSeconds() <= list.IssuedAt.ToUnixTimeSeconds())
        {
            return "ExpiresAt must be at least a second after IssuedAt.";
        }

        if (list.Members.Count > MaxMembers)
        {
            return $"A federation list holds at most {MaxMembers} members.";
        }

        var issuers = new HashSet<string>(StringComparer.Ordinal);
        var roots = new HashSet<string>(StringComparer.Ordinal);
        foreach (FederationMember member in list.Members)
        {
            string? problem = member switch
            {
                null => "A member is null.",
                { Issuer: var iss } when !IssuerId.IsValid(iss) => $"Member iss \"{iss}\" is not a 6-digit GB/T 2260 code.",
                { Name: var name } when string.IsNullOrWhiteSpace(name) => $"Member {member.Issuer} has no name.",
                { RootKey: null } => $"Member {member.Issuer} has no root key.",
                { RootKey.HasPrivateKey: true } => $"Member {member.Issuer}: the root key holds its private part; the hub lists public keys only.",
                { TrustListUrl: var url } when !IsTrustListUrl(url) => $"Member {member.Issuer}: \"{url}\" is not an absolute http(s) URL.",
                _ when !issuers.Add(member.Issuer) => $"Member {member.Issuer} is listed twice.",
                _ when !roots.Add(member.RootKey.Thumbprint) => $"Member {member.Issuer} shares its root key with another member.",
                _ => null,
            };
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static bool TryReadPayload(byte[] json, [NotNullWhen(true)] out FederationList? list)
    {
        list = null;
        var members = new List<FederationMember>();
        try
        {
            using JsonDocument document = JsonDocument.Parse(json, Es256Jws.ReaderOptions);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("seq", out JsonElement seqElement) || seqElement.ValueKind != JsonValueKind.Number
                || !seqElement.TryGetInt64(out long seq) || seq < 0
                || !Es256Jws.TryRequiredNumericDate(root, "iat", out long iat)
                || !Es256Jws.TryRequiredNumericDate(root, "exp", out long exp) || exp <= iat
                || !root.TryGetProperty("members", out JsonElement array) || array.ValueKind != JsonValueKind.Array
                || array.GetArrayLength() > MaxMembers)
            {
                return false;
            }

            foreach (JsonElement element in array.EnumerateArray())
            {
                if (!TryReadMember(element, out FederationMember? member))
                {
                    DisposeAll(members);
                    return false;
                }

                members.Add(member);
            }

            list = new FederationList(seq, DateTimeOffset.FromUnixTimeSeconds(iat), DateTimeOffset.FromUnixTimeSeconds(exp), members);
            if (Validate(list) is not null)
            {
                // Unique iss and root keys: two entries for one province would leave a verifier guessing which root to pin.
                DisposeAll(members);
                list = null;
                return false;
            }

            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException) // not JSON; a string that is not UTF-8
        {
            DisposeAll(members);
            return false;
        }
    }

    private static bool TryReadMember(JsonElement element, [NotNullWhen(true)] out FederationMember? member)
    {
        member = null;
        if (element.ValueKind != JsonValueKind.Object
            || !Es256Jws.TryString(element, "iss", out string? iss)
            || !Es256Jws.TryString(element, "name", out string? name)
            || !Es256Jws.TryString(element, "trustListUrl", out string? url)
            || !Es256Jws.TryString(element, "status", out string? statusName)
            || !element.TryGetProperty("rootKey", out JsonElement jwk) || jwk.ValueKind != JsonValueKind.Object
            || jwk.TryGetProperty("d", out _)) // a private root in a public list is a leak, never a key to pin
        {
            return false;
        }

        MemberStatus? status = statusName switch
        {
            "active" => MemberStatus.Active,
            "suspended" => MemberStatus.Suspended,
            _ => null,
        };
        if (status is null)
        {
            return false;
        }

        EcKey rootKey;
        try
        {
            // Checks kty EC, crv P-256, the point, alg/use when present, and that a kid is derived from the key.
            rootKey = EcKey.FromJwk(jwk.GetRawText());
        }
        catch (InvalidKeyException)
        {
            return false;
        }

        member = new FederationMember(iss, name, rootKey, url, status.Value);
        return true;
    }

    private static void DisposeAll(IEnumerable<FederationMember> members)
    {
        foreach (FederationMember member in members)
        {
            member.RootKey.Dispose();
        }
    }
}
