using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;
using Microsoft.Extensions.Time.Testing;

namespace HealthCode.Trust.Tests;

public sealed class TrustStoreTests
{
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

    private SampleProvinces _p = null!;
    private FakeTimeProvider _time = null!;
    private TrustStore _store = null!;
    private HealthCodeVerifier _verifier = null!;

    [OneTimeSetUp]
    public void LoadSampleKeys() => _p = new SampleProvinces();

    [OneTimeTearDown]
    public void DisposeKeys() => _p.Dispose();

    [SetUp]
    public void HenanCheckpoint()
    {
        _time = new FakeTimeProvider(Crafted.Now);
        _store = new TrustStore();
        _store.SetOwn("410000", "河南省", [(_p.Henan.ActiveIssuer, KeyStatus.Active)]);
        _verifier = new HealthCodeVerifier(_store, _time, Skew);
    }

    /// <summary>Signs, verifies with the pinned root, and hands the verified list to the store, as a fetcher would.</summary>
    private void TrustZhejiang(long seq = 1, KeyStatus status = KeyStatus.Active, TimeSpan? lifetime = null, DateTimeOffset? keyNotAfter = null)
    {
        string jws = TrustListCodec.Sign(SampleProvinces.ListOf(_p.Zhejiang, "330000", "浙江省", seq, lifetime, status, keyNotAfter: keyNotAfter), _p.Zhejiang.Root);
        TrustListResult result = TrustListCodec.Verify(jws, _p.Zhejiang.Root, "330000", _store.HeldSeq("330000"), _time.GetUtcNow(), Skew);
        Assert.That(result.IsValid, Is.True, result.ToString());
        Assert.That(_store.SetPartner(result.List!), Is.True);
    }

    private static string ZhejiangCode(ProvinceKeys zhejiang, TimeSpan? lifetime = null) =>
        new HealthCodeSigner(zhejiang.ActiveIssuer).SignQr(Crafted.Claims("330000", lifetime: lifetime) with { Color = CodeColor.Yellow });

    [Test]
    public void Verify_Accepts_PartnerCode_ThroughTrustStore()
    {
        TrustZhejiang();

        VerificationResult result = _verifier.Verify(ZhejiangCode(_p.Zhejiang));
        Verdict verdict = Verdict.From(result, _store);

        Assert.That(result.IsValid, Is.True, result.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(verdict.Valid, Is.True);
            Assert.That(verdict.Color, Is.EqualTo("yellow"));
            Assert.That(verdict.Issuer, Is.EqualTo("330000"));
            Assert.That(verdict.IssuerName, Is.EqualTo("浙江省"));
            Assert.That(verdict.Source, Is.EqualTo("partner"));
            Assert.That(verdict.Error, Is.Null);
        });
    }

    [Test]
    public void Verify_Accepts_OwnCode_AsLocal()
    {
        string qr = new HealthCodeSigner(_p.Henan.ActiveIssuer).SignQr(Crafted.Claims());

        Verdict verdict = Verdict.From(_verifier.Verify(qr), _store);

        Assert.Multiple(() =>
        {
            Assert.That(verdict.Valid, Is.True);
            Assert.That(verdict.Source, Is.EqualTo("local"));
            Assert.That(verdict.IssuerName, Is.EqualTo("河南省"));
        });
    }

    [Test]
    public void Verify_RejectsToken_WhenKeyRevokedInPartnerList()
    {
        TrustZhejiang(status: KeyStatus.Revoked);

        Assert.That(_verifier.Verify(ZhejiangCode(_p.Zhejiang)).Error, Is.EqualTo(VerificationError.KeyRevoked));
    }

    [Test]
    public void Verify_RejectsToken_WhenNewerPartnerListRevokesKey()
    {
        TrustZhejiang(seq: 1);
        string qr = ZhejiangCode(_p.Zhejiang);
        Assert.That(_verifier.Verify(qr).IsValid, Is.True);

        TrustZhejiang(seq: 2, status: KeyStatus.Revoked);

        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.KeyRevoked));
    }

    [Test]
    public void Verify_Accepts_RetiredKeyInPartnerList_UntilCodeExpires()
    {
        TrustZhejiang(status: KeyStatus.Retired);
        string qr = ZhejiangCode(_p.Zhejiang, lifetime: TimeSpan.FromMinutes(5));

        Assert.That(_verifier.Verify(qr).IsValid, Is.True);
        _time.Advance(TimeSpan.FromMinutes(5) + Skew);
        Assert.That(_verifier.Verify(qr).Error, Is.EqualTo(VerificationError.Expired));
    }

    [Test]
    public void Verify_RejectsToken_WhenPartnerKeyPastItsWindow()
    {
        TrustZhejiang(keyNotAfter: Crafted.Now.AddMinutes(-10));

        Assert.That(_verifier.Verify(ZhejiangCode(_p.Zhejiang)).Error, Is.EqualTo(VerificationError.UnknownKey));
    }

    [Test]
    public void Verify_AnswersTrustListStale_WhenPartnerListExpired()
    {
        TrustZhejiang(lifetime: TimeSpan.FromHours(1));
        _time.Advance(TimeSpan.FromHours(1));

        // A code signed now, valid for its own lifetime: only the list is too old.
        string fresh = new HealthCodeSigner(_p.Zhejiang.ActiveIssuer).SignQr(Crafted.Claims("330000", issuedAt: _time.GetUtcNow()));
        VerificationResult result = _verifier.Verify(fresh);

        Assert.Multiple(() =>
        {
            Assert.That(result.Error, Is.EqualTo(VerificationError.TrustListStale));
            Assert.That(_store.IsStale("330000", _time.GetUtcNow()), Is.True);
            Assert.That(Verdict.From(result, _store).Error?.Code, Is.EqualTo("trust_list_stale"));
        });
    }

    [Test]
    public void Verify_OwnCodes_NeverStale()
    {
        _time.Advance(TimeSpan.FromDays(400));
        string qr = new HealthCodeSigner(_p.Henan.ActiveIssuer).SignQr(Crafted.Claims(issuedAt: _time.GetUtcNow()));

        Assert.That(_verifier.Verify(qr).IsValid, Is.True);
    }

    [Test]
    public void Verify_AnswersUnknownIssuer_AfterPartnerRemoved()
    {
        TrustZhejiang();

        Assert.That(_store.Remove("330000"), Is.True);
        Assert.That(_verifier.Verify(ZhejiangCode(_p.Zhejiang)).Error, Is.EqualTo(VerificationError.UnknownIssuer));
    }

    [Test]
    public void Verify_RejectsZhejiangKey_ClaimingHenanIssuer()
    {
        TrustZhejiang();
        string forged = new HealthCodeSigner(_p.Zhejiang.ActiveIssuer).SignQr(Crafted.Claims("410000"));

        Assert.That(_verifier.Verify(forged).Error, Is.EqualTo(VerificationError.UnknownKey));
    }

    [Test]
    public void SetPartner_KeepsNewerList_WhenOlderArrivesLate()
    {
        TrustZhejiang(seq: 7);
        TrustList older = SampleProvinces.ListOf(_p.Zhejiang, "330000", "旧名", seq: 6);

        Assert.Multiple(() =>
        {
            Assert.That(_store.SetPartner(older), Is.False);
            Assert.That(_store.HeldSeq("330000"), Is.EqualTo(7));
            Assert.That(_store.IssuerName("330000"), Is.EqualTo("浙江省"));
        });
    }

    [Test]
    public void SetPartner_Refuses_OwnIssuer()
    {
        Assert.Throws<InvalidOperationException>(() => _store.SetPartner(SampleProvinces.ListOf(_p.Henan, "410000", "河南省")));
    }

    [Test]
    public void Store_ReportsHeldListState()
    {
        TrustZhejiang(seq: 3, lifetime: TimeSpan.FromDays(2));

        Assert.Multiple(() =>
        {
            Assert.That(_store.HeldSeq("330000"), Is.EqualTo(3));
            Assert.That(_store.ListExpiresAt("330000"), Is.EqualTo(Crafted.Now.AddDays(2)));
            Assert.That(_store.IsOwn("330000"), Is.False);
            Assert.That(_store.IsOwn("410000"), Is.True);
            Assert.That(_store.HeldSeq("410000"), Is.Null);
            Assert.That(_store.IssuerName("440000"), Is.Null);
            Assert.That(_store.Issuers, Is.EqualTo(new[] { "330000", "410000" }));
        });
    }

    [Test]
    public void Store_ServesConcurrentReads_WhileListsAreReplaced()
    {
        TrustZhejiang(seq: 1);
        string qr = ZhejiangCode(_p.Zhejiang);
        TrustList[] lists = [.. Enumerable.Range(2, 200).Select(seq => SampleProvinces.ListOf(_p.Zhejiang, "330000", "浙江省", seq))];
        int failures = 0;

        Parallel.Invoke(
            () =>
            {
                foreach (TrustList list in lists)
                {
                    _store.SetPartner(list);
                }
            },
            () =>
            {
                for (int i = 0; i < 500; i++)
                {
                    if (!_verifier.Verify(qr).IsValid)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            });

        Assert.That(failures, Is.Zero);
    }
}
