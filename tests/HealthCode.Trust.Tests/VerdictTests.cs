using HealthCode.Trust.Tokens;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;

namespace HealthCode.Trust.Tests;

public sealed class VerdictTests
{
    [Test]
    public void Verdict_ToJson_IsDesignShape_ForValidCode()
    {
        using var henan = Keys.ProvinceKeys.Load(RepoPaths.Province("410000"));
        var store = new TrustStore();
        store.SetOwn("410000", "河南省", [(henan.ActiveIssuer, KeyStatus.Active)]);
        var claims = Crafted.Claims() with { Color = CodeColor.Red };

        string json = Verdict.ToJson(Verdict.From(VerificationResult.Success(claims, new IssuerKeyEntry(henan.ActiveIssuer, KeyStatus.Active, null)), store));

        Assert.That(json, Is.EqualTo(
            """{"valid":true,"color":"red","issuer":"410000","issuerName":"河南省","maskedName":"张*艺","idTail":"123X","issuedAt":"2020-03-01T08:00:00+00:00","expiresAt":"2020-03-01T08:05:00+00:00","source":"local","scanId":null,"error":null}"""));
    }

    [Test]
    public void Verdict_ToJson_IsDesignShape_ForExpiredCode()
    {
        string json = Verdict.ToJson(Verdict.From(VerificationResult.Failure(VerificationError.Expired), new TrustStore()));

        Assert.That(json, Is.EqualTo(
            """{"valid":false,"color":null,"issuer":null,"issuerName":null,"maskedName":null,"idTail":null,"issuedAt":null,"expiresAt":null,"source":null,"scanId":null,"error":{"code":"expired","message":"The code has expired: ask the person to refresh their code."}}"""));
    }

    [Test]
    public void Verdict_HasAMessage_ForEveryErrorCode()
    {
        foreach (VerificationError error in Enum.GetValues<VerificationError>())
        {
            VerdictError? verdictError = Verdict.Invalid(error).Error;
            Assert.That(verdictError?.Code, Is.EqualTo(error.ToCode()));
            Assert.That(verdictError?.Message, Does.Contain(": ").And.EndWith("."), error.ToString());
        }
    }
}
