namespace HealthCode.Trust.Tokens;

/// <summary>
/// What a health code token says (DESIGN §4.1). Only what staff need to match a person to an ID card
/// is here; the full name, full ID number, phone, address, symptoms and travel never are.
/// </summary>
/// <param name="Issuer">The issuing province: its 6-digit GB/T 2260 code (<c>iss</c>).</param>
/// <param name="CodeId">An opaque random code id, never an ID number (<c>sub</c>).</param>
/// <param name="IssuedAt">When the token was signed (<c>iat</c>, whole seconds).</param>
/// <param name="ExpiresAt">When the token stops being valid (<c>exp</c>, whole seconds).</param>
/// <param name="Color">The code's colour (<c>c</c>).</param>
/// <param name="MaskedName">The masked name, e.g. <c>张*艺</c> (<c>n</c>).</param>
/// <param name="IdTail">The last 4 characters of the ID number (<c>t</c>).</param>
/// <param name="StatusVersion">The code record's status version; a colour change makes older tokens stale (<c>v</c>).</param>
public sealed record HealthCodeClaims(
    string Issuer,
    string CodeId,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    CodeColor Color,
    string MaskedName,
    string IdTail,
    int StatusVersion);
