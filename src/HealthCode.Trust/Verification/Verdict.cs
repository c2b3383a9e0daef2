using System.Text.Encodings.Web;
using System.Text.Json;
using HealthCode.Trust.TrustLists;

namespace HealthCode.Trust.Verification;

/// <summary>Why a verdict is invalid: a stable code of DESIGN §5 and what the checkpoint staff member should do.</summary>
/// <param name="Code">The stable snake_case code, e.g. <c>expired</c> (<see cref="VerificationErrorCodes.ToCode"/>).</param>
/// <param name="Message">A plain English sentence for staff: what happened and what to do.</param>
public sealed record VerdictError(string Code, string Message);

/// <summary>
/// The answer to a scan (DESIGN §5 "Verdict"), shared by <c>POST /api/v1/verify</c> and <c>healthcode verify</c>
/// so both print the same JSON (<see cref="ToJson"/>).
/// </summary>
/// <param name="Valid">True when the code verified.</param>
/// <param name="Color"><c>green</c>, <c>yellow</c> or <c>red</c>; null when invalid.</param>
/// <param name="Issuer">The issuing province's code; null when invalid.</param>
/// <param name="IssuerName">The issuing province's name, from its trust list; null when invalid.</param>
/// <param name="MaskedName">The masked name, e.g. <c>张*艺</c>; null when invalid.</param>
/// <param name="IdTail">The last 4 characters of the ID number; null when invalid.</param>
/// <param name="IssuedAt">When the code was signed; null when invalid.</param>
/// <param name="ExpiresAt">When the code expires; null when invalid.</param>
/// <param name="Source"><c>local</c> for this province's codes, <c>partner</c> for a partner's; null when invalid.</param>
/// <param name="ScanId">
/// The audit entry of this scan (DESIGN §5): the service sets it to the entry's sequence number in decimal, once the
/// entry is stored; null from <c>healthcode verify</c>, which checks offline and audits nothing.
/// </param>
/// <param name="Error">Why the code is invalid; null when valid.</param>
public sealed record Verdict(
    bool Valid,
    string? Color,
    string? Issuer,
    string? IssuerName,
    string? MaskedName,
    string? IdTail,
    DateTimeOffset? IssuedAt,
    DateTimeOffset? ExpiresAt,
    string? Source,
    string? ScanId,
    VerdictError? Error)
{
    /// <summary>
    /// For a partner's code when online status checks are on: <c>confirmed</c> (the issuer says
    /// the token is current), <c>changed</c> (the issuer changed the code since; then the verdict
    /// is <c>code_revoked</c>) or <c>unavailable</c> (no answer in time: the offline verdict,
    /// flagged). Null when no check was made.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? StatusCheck { get; init; }

    /// <summary>
    /// How this instance came to trust the issuer's key, for a valid code: <c>own</c> (this province's keys),
    /// <c>bilateral</c> (a partner's list under a root pinned here, point to point) or <c>hub</c> (a partner's list under
    /// the root the national hub vouched for, DESIGN §4.3). Null when invalid, and from <c>healthcode verify</c>, which
    /// reads a trust folder and does not know how each list got there.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Route { get; init; }

    /// <summary>The <see cref="Route"/> of this province's own codes.</summary>
    public const string OwnRoute = "own";

    /// <summary>The <see cref="Route"/> of a partner recognised point to point, by a root pinned here.</summary>
    public const string BilateralRoute = "bilateral";

    /// <summary>The <see cref="Route"/> of a partner recognised through the national hub's federation list.</summary>
    public const string HubRoute = "hub";

    /// <summary>The <see cref="Source"/> of this province's own codes.</summary>
    public const string LocalSource = "local";

    /// <summary>The <see cref="Source"/> of a partner province's codes.</summary>
    public const string PartnerSource = "partner";

    // DESIGN §5: JSON, camelCase, escaped as ASP.NET escapes the API's answers (relaxed: CJK names
    // and apostrophes as they are), so the CLI and the API print the same characters. The text is
    // printed or sent as JSON, never placed into HTML.
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Builds the verdict for a verification result.</summary>
    /// <param name="result">What <see cref="HealthCodeVerifier.Verify"/> (or the host, for <c>code_revoked</c>) decided.</param>
    /// <param name="store">The trust store, for the issuer's name and whether it is this province.</param>
    /// <returns>The verdict.</returns>
    public static Verdict From(VerificationResult result, TrustStore store)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(store);
        if (!result.IsValid)
        {
            return Invalid(result.Error.Value);
        }

        var claims = result.Claims;
        return new Verdict(
            Valid: true,
            Color: ColorName(claims.Color),
            Issuer: claims.Issuer,
            IssuerName: store.IssuerName(claims.Issuer),
            MaskedName: claims.MaskedName,
            IdTail: claims.IdTail,
            IssuedAt: claims.IssuedAt,
            ExpiresAt: claims.ExpiresAt,
            Source: store.IsOwn(claims.Issuer) ? LocalSource : PartnerSource,
            ScanId: null,
            Error: null);
    }

    /// <summary>An invalid verdict: every field null but the error (the host sets <see cref="ScanId"/>).</summary>
    /// <param name="error">Why.</param>
    /// <returns>The verdict.</returns>
    public static Verdict Invalid(VerificationError error) =>
        new(false, null, null, null, null, null, null, null, null, null, new VerdictError(error.ToCode(), Message(error)));

    /// <summary>The verdict as DESIGN §5 JSON (camelCase, nulls written), as the API answers it.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <returns>Compact JSON.</returns>
    public static string ToJson(Verdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return JsonSerializer.Serialize(verdict, JsonOptions);
    }

    /// <summary>What the staff member should be told for an error: what happened, then what to do.</summary>
    /// <param name="error">The error.</param>
    /// <returns>One or two plain English sentences.</returns>
    public static string Message(VerificationError error) => error switch
    {
        VerificationError.Malformed =>
            "The code could not be read: ask the person to show it again, or look them up by ID card.",
        VerificationError.UnsupportedFormat =>
            "This QR code is not a health code: ask the person to show their health code.",
        VerificationError.UnknownIssuer =>
            "The code comes from a province this checkpoint does not recognise: look the person up by ID card and follow the local procedure.",
        VerificationError.UnknownKey =>
            "The code is signed with a key this checkpoint does not know: ask the person to refresh their code; if it persists, tell the operator.",
        VerificationError.KeyRevoked =>
            "The code was signed with a key its province has revoked and cannot be trusted: do not accept it; ask the person to refresh their code.",
        VerificationError.BadSignature =>
            "The code's signature is invalid, so it may be forged or altered: do not accept it; look the person up by ID card.",
        VerificationError.AlgorithmNotAllowed =>
            "The code uses a signature method that is not allowed, so it may be forged: do not accept it; look the person up by ID card.",
        VerificationError.WrongType =>
            "This is a signed document, but not a health code: ask the person to show their health code.",
        VerificationError.Expired =>
            "The code has expired: ask the person to refresh their code.",
        VerificationError.NotYetValid =>
            "The code is not valid yet, so the phone's or this device's clock may be wrong: ask the person to refresh their code, and check the clock.",
        VerificationError.CodeRevoked =>
            "The code has been replaced by a newer status: ask the person to refresh their code.",
        VerificationError.TrustListStale =>
            "The issuing province's trust list has expired and could not be renewed, so the code cannot be checked: look the person up by ID card and tell the operator.",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "Unknown verification error."),
    };

    private static string ColorName(CodeColor color) => color switch
    {
        CodeColor.Green => "green",
        CodeColor.Yellow => "yellow",
        CodeColor.Red => "red",
        _ => throw new ArgumentOutOfRangeException(nameof(color), color, "Unknown colour."),
    };
}
