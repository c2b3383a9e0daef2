using System.Security.Cryptography;
using System.Text;

namespace HealthCode.Api.Infrastructure.Shared;

/// <summary>
/// How the state that instances of one province share is named in Redis: under
/// <c>healthcode:&lt;province code&gt;:</c>, as the trust-list cache and the code-status feed name theirs, so that
/// instances of one province share it and provinces that share a Redis do not.
/// </summary>
internal static class RedisKeys
{
    /// <summary>What Redis answers when it is down or too slow; each caller decides whether to fail closed or fall back.</summary>
    public static bool IsUnavailable(Exception e) => e is StackExchange.Redis.RedisException or TimeoutException;

    public static string Prefix(HealthCodeOptions options) => $"healthcode:{options.Province.Code}:";

    /// <summary>
    /// A partition (a client address, a phone's blind index) as it may appear in a key: its SHA-256, so that <c>KEYS *</c>
    /// or a copy of Redis does not list who asks. Phones arrive here already as their keyed blind index (DESIGN §11:
    /// OtpLimits, RedisOneTimeCodes), since a plain hash of an 11-digit number is reversed by trying them all.
    /// </summary>
    public static string Opaque(string partition) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(partition)))[..32];
}
