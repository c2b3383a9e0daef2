using HealthCode.Trust;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;

namespace HealthCode.Api.Tests.Support;

/// <summary>
/// A partner province made from its sample keys: it signs its own codes and its trust list, and
/// lays the list and its pinned root out in a partners folder (HealthCode:Trust:PartnersPath).
/// </summary>
internal sealed class PartnerProvince(string code, string name) : IDisposable
{
    private readonly ProvinceKeys keys = ProvinceKeys.Load(RepoPaths.SampleKeys(code));

    public string Code { get; } = code;

    public static string NewPartnersFolder() =>
        Path.Combine(Path.GetTempPath(), "healthcode-tests", Guid.NewGuid().ToString("N"), "partners");

    public string SignCode(DateTimeOffset now, CodeColor color = CodeColor.Green, string? issuer = null, TimeSpan? lifetime = null) =>
        new HealthCodeSigner(keys.ActiveIssuer).SignQr(new HealthCodeClaims(
            issuer ?? Code, "pX7cQ2mT7vB4nLpA", now, now + (lifetime ?? TimeSpan.FromMinutes(5)), color, "李*明", "4321", 1));

    /// <summary>A status request from this province about <paramref name="codeId"/>, issued by <paramref name="audience"/> (FEDERATION-FORMAT §2).</summary>
    public string SignStatusRequest(string audience, string codeId, DateTimeOffset now) =>
        Trust.Status.StatusRequestCodec.Sign(Code, audience, codeId, now, keys.ActiveIssuer);

    /// <summary>Publishes this province's list (issuer key with the given status) into the partners folder.</summary>
    public void PublishTo(string partnersFolder, DateTimeOffset now, TimeSpan validFor, KeyStatus status = KeyStatus.Active, long seq = 1)
    {
        var folder = Path.Combine(partnersFolder, Code);
        Directory.CreateDirectory(folder);
        var list = new TrustList(Code, name, seq, now, now + validFor, [new TrustListKey(keys.ActiveIssuer, status, null, null)]);
        File.WriteAllText(Path.Combine(folder, TrustFolder.ListFileName), TrustListCodec.Sign(list, keys.Root));
        File.WriteAllText(Path.Combine(folder, TrustFolder.RootFileName), keys.Root.ToPublicJwk());
    }

    public void Dispose() => keys.Dispose();
}
