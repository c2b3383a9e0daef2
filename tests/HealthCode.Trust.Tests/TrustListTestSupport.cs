using HealthCode.Trust.Keys;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;

namespace HealthCode.Trust.Tests;

/// <summary>The three sample provinces, loaded once per fixture, and trust lists built from them.</summary>
internal sealed class SampleProvinces : IDisposable
{
    public const string HenanCode = "410000";
    public const string ZhejiangCode = "330000";
    public const string GuangdongCode = "440000";

    public ProvinceKeys Henan { get; } = ProvinceKeys.Load(RepoPaths.Province(HenanCode));

    public ProvinceKeys Zhejiang { get; } = ProvinceKeys.Load(RepoPaths.Province(ZhejiangCode));

    public ProvinceKeys Guangdong { get; } = ProvinceKeys.Load(RepoPaths.Province(GuangdongCode));

    /// <summary>A list of the province's issuer keys, all with the given status, issued at <see cref="Crafted.Now"/>.</summary>
    public static TrustList ListOf(
        ProvinceKeys keys, string issuer, string name, long seq = 1, TimeSpan? lifetime = null, KeyStatus status = KeyStatus.Active,
        DateTimeOffset? keyNotBefore = null, DateTimeOffset? keyNotAfter = null) =>
        new(issuer, name, seq, Crafted.Now, Crafted.Now + (lifetime ?? TimeSpan.FromDays(7)),
            [.. keys.Issuers.Select(k => new TrustListKey(k, status, keyNotBefore, keyNotAfter))]);

    public void Dispose()
    {
        Henan.Dispose();
        Zhejiang.Dispose();
        Guangdong.Dispose();
    }
}
