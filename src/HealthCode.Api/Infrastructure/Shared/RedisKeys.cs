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
    /// A partition (a phone, a client address) as it may appear in a key: its SHA-256, so that <c>KEYS *</c> or a
    /// copy of Redis does not list who logs in. A plain hash of an 11-digit number can be reversed by trying them
    /// all; the keyed blind index of DESIGN §11 should replace it once the province has one.
    /// </summary>
    public static string Opaque(string partition) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(partition)))[..32];
}
