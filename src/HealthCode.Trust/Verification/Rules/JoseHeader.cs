using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using HealthCode.Trust.Tokens;

namespace HealthCode.Trust.Verification.Rules;

/// <summary>The members of the JOSE header (RFC 7515 §4) the verifier needs, read without trusting anything else in it.</summary>
internal readonly record struct JoseHeader(bool IsEs256, bool IsHealthCodeType, string Kid)
{
    /// <summary>
    /// Reads the header. Malformed: not base64url of a JSON object, a member twice (RFC 7515 §4 allows
    /// rejecting duplicates; we do), <c>alg</c> or <c>kid</c> missing or not a string, or any <c>crit</c>
    /// (RFC 7515 §4.1.11: we understand no extension, so a token that needs one is not ours). Other members
    /// (<c>jku</c>, <c>jwk</c>, <c>x5u</c>, <c>x5c</c>, …) are ignored: keys come only from the trust store.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> encoded, out JoseHeader header)
    {
        header = default;
        Span<byte> json = stackalloc byte[Base64Url.GetMaxDecodedLength(encoded.Length)];
        if (Base64Url.DecodeFromUtf8(encoded, json, out _, out int length) != OperationStatus.Done)
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(json[..length], new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            bool? isEs256 = null;
            bool? isType = null;
            string? kid = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("alg"u8))
                {
                    if (isEs256 is not null || !reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }

                    isEs256 = reader.ValueTextEquals(TokenFormat.Algorithm);
                }
                else if (reader.ValueTextEquals("typ"u8))
                {
                    if (isType is not null || !reader.Read())
                    {
                        return false;
                    }

                    isType = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(TokenFormat.Type);
                }
                else if (reader.ValueTextEquals("kid"u8))
                {
                    if (kid is not null || !reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }

                    kid = reader.GetString();
                }
                else if (reader.ValueTextEquals("crit"u8))
                {
                    return false;
                }
                else
                {
                    reader.Skip(); // to the value, and past it when it is an object or array
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read() || isEs256 is null || string.IsNullOrEmpty(kid))
            {
                return false;
            }

            header = new JoseHeader(isEs256.Value, isType ?? false, kid);
            return true;
        }
        catch (JsonException)
        {
            return false; // not JSON, or data after the object
        }
        catch (InvalidOperationException)
        {
            return false; // a string that is not valid UTF-8
        }
    }
}

/// <summary>RFC 7515 §4.1.1 and RFC 8725 §3.1: the algorithm comes from an allow-list of one, ES256; never <c>none</c>, never HMAC.</summary>
internal static class AlgorithmRule
{
    public static VerificationError? Check(in JoseHeader header) =>
        header.IsEs256 ? null : VerificationError.AlgorithmNotAllowed;
}

/// <summary>RFC 7515 §4.1.9 and RFC 8725 §3.11: explicit typing, so a trust list or other JWS is never taken for a health code.</summary>
internal static class TypeRule
{
    public static VerificationError? Check(in JoseHeader header) =>
        header.IsHealthCodeType ? null : VerificationError.WrongType;
}
