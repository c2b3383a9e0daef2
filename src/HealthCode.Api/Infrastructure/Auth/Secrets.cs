using System.Security.Cryptography;
using System.Text;

namespace HealthCode.Api.Infrastructure.Auth;

internal static class Secrets
{
    /// <summary>A bearer secret: 32 random bytes, base64url.</summary>
    public static string NewToken() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>A random id with its kind's prefix (<c>st_</c> staff, <c>op_</c> operators): 9 random bytes, base64url.</summary>
    public static string NewId(string prefix) => prefix + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(9));

    /// <summary>What the store keeps of a secret: its SHA-256, so a copy of the store cannot log anyone in.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Masks a phone number for logs: 138****5678.</summary>
    public static string MaskPhone(string phone) => phone.Length == 11 ? $"{phone[..3]}****{phone[7..]}" : "***";
}
