using HealthCode.Api.Tests.Support;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;

namespace HealthCode.Api.Tests.Http;

/// <summary>Partner lists are trusted no further than their signature, their keys' status and their expiry (DESIGN §4.5).</summary>
[TestFixture]
internal sealed class PartnerTrustTests
{
    [Test]
    public async Task PartnerCode_SignedByAKeyTheListRevokes_IsKeyRevoked()
    {
        var folder = PartnerProvince.NewPartnersFolder();
        using var zhejiang = new PartnerProvince("330000", "浙江省");
        zhejiang.PublishTo(folder, HealthCodeFactory.Start, TimeSpan.FromDays(7), KeyStatus.Revoked);
        using var factory = HealthCodeFactory.WithPartners(folder);
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());

        var verdict = await staff.VerifyAsync(zhejiang.SignCode(factory.Time.GetUtcNow()));

        Assert.That(StaffClient.ErrorCode(verdict), Is.EqualTo("key_revoked"));
    }

    [Test]
    public async Task PartnerCode_AfterThePartnersListExpires_IsTrustListStale()
    {
        var folder = PartnerProvince.NewPartnersFolder();
        using var zhejiang = new PartnerProvince("330000", "浙江省");
        zhejiang.PublishTo(folder, HealthCodeFactory.Start, TimeSpan.FromHours(1));
        using var factory = HealthCodeFactory.WithPartners(folder);
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());
        Assert.That((await staff.VerifyAsync(zhejiang.SignCode(factory.Time.GetUtcNow())))["valid"]!.GetValue<bool>(), Is.True);

        factory.Time.Advance(TimeSpan.FromHours(2));
        var verdict = await staff.VerifyAsync(zhejiang.SignCode(factory.Time.GetUtcNow()));

        Assert.That(StaffClient.ErrorCode(verdict), Is.EqualTo("trust_list_stale"));
    }

    [Test]
    public async Task PartnerList_SignedByAnotherRootThanThePinnedOne_IsNotTrusted()
    {
        var folder = PartnerProvince.NewPartnersFolder();
        using var zhejiang = new PartnerProvince("330000", "浙江省");
        zhejiang.PublishTo(folder, HealthCodeFactory.Start, TimeSpan.FromDays(7));
        using (var guangdong = HealthCode.Trust.Keys.ProvinceKeys.Load(RepoPaths.SampleKeys("440000")))
        {
            File.WriteAllText(Path.Combine(folder, "330000", TrustFolder.RootFileName), guangdong.Root.ToPublicJwk());
        }

        using var factory = HealthCodeFactory.WithPartners(folder);
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());

        var verdict = await staff.VerifyAsync(zhejiang.SignCode(factory.Time.GetUtcNow()));

        Assert.That(StaffClient.ErrorCode(verdict), Is.EqualTo("unknown_issuer"));
    }
}
