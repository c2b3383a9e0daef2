using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;
using Microsoft.Extensions.Time.Testing;

namespace HealthCode.Trust.Tests;

public sealed class ProvinceKeyringTests
{
    private static readonly DateTimeOffset T0 = Crafted.Now;

    private static string StatePath(TempFolder folder) => Path.Combine(folder.Path, ProvinceKeyring.StateFileName);

    private static TempFolder NewProvince()
    {
        var folder = new TempFolder();
        ProvinceKeys.Generate(folder.Path);
        return folder;
    }

    [Test]
    public void Load_WithoutStateFile_MakesHighestPrivateIssuerActive_AndOthersRetired()
    {
        using TempFolder folder = NewProvince();
        ProvinceKeys.GenerateNextIssuer(folder.Path);

        using ProvinceKeyring keyring = ProvinceKeyring.Load(folder.Path);

        Assert.Multiple(() =>
        {
            Assert.That(keyring.HasStateFile, Is.False);
            Assert.That(keyring.CanSignLists, Is.True);
            Assert.That(keyring.CanIssueCodes, Is.True);
            Assert.That(keyring.Issuers.Select(i => (i.Number, i.Status, i.RetiredAt)),
                Is.EqualTo(new[] { (1, KeyStatus.Retired, (DateTimeOffset?)null), (2, KeyStatus.Active, (DateTimeOffset?)null) }));
            Assert.That(keyring.ActiveIssuer, Is.SameAs(keyring.Issuers[1].Key));
            Assert.That(File.Exists(StatePath(folder)), Is.False, "loading never writes");
        });
    }

    [Test]
    public void Load_WithoutStateFile_OnOfflineRootMachine_MakesHighestNumberActive()
    {
        using TempFolder folder = NewProvince();
        ProvinceKeys.GenerateNextIssuer(folder.Path);
        File.Delete(Path.Combine(folder.Path, "issuer-1.private.jwk"));
        File.Delete(Path.Combine(folder.Path, "issuer-2.private.jwk"));

        using ProvinceKeyring keyring = ProvinceKeyring.Load(folder.Path);

        Assert.Multiple(() =>
        {
            Assert.That(keyring.Issuers.Single(i => i.Status == KeyStatus.Active).Number, Is.EqualTo(2));
            Assert.That(keyring.CanIssueCodes, Is.False);
            Assert.That(keyring.CanSignLists, Is.True);
        });
    }

    [TestCase("410000")]
    [TestCase("330000")]
    [TestCase("440000")]
    public void Load_ReadsSampleProvince_WithIssuer1Active(string province)
    {
        using ProvinceKeyring keyring = ProvinceKeyring.Load(RepoPaths.Province(province));
        using ProvinceKeys keys = ProvinceKeys.Load(RepoPaths.Province(province));

        Assert.Multiple(() =>
        {
            Assert.That(keyring.ActiveIssuer.Thumbprint, Is.EqualTo(keys.ActiveIssuer.Thumbprint));
            Assert.That(keyring.Root.Thumbprint, Is.EqualTo(keys.Root.Thumbprint));
            Assert.That(keyring.Issuers, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void Rotate_MakesNewKeyActive_AndRetiresThePreviousOne_InStateAndList()
    {
        using TempFolder folder = NewProvince();
        string oldKid;
        using (ProvinceKeyring before = ProvinceKeyring.Load(folder.Path))
        {
            oldKid = before.ActiveIssuer.Kid;
        }

        IssuerKeyState created = ProvinceKeyring.Rotate(folder.Path, T0);
        using (created.Key)
        {
            using ProvinceKeyring keyring = ProvinceKeyring.Load(folder.Path);
            TrustList list = keyring.ToTrustList("410000", "河南省", 2, T0.AddHours(1), TimeSpan.FromDays(7));

            Assert.Multiple(() =>
            {
                Assert.That(created.Number, Is.EqualTo(2));
                Assert.That(created.Status, Is.EqualTo(KeyStatus.Active));
                Assert.That(keyring.HasStateFile, Is.True);
                Assert.That(keyring.ActiveIssuer.Thumbprint, Is.EqualTo(created.Key.Thumbprint));
                Assert.That(keyring.Issuers.Select(i => (i.Key.Kid, i.Status, i.RetiredAt)), Is.EqualTo(new[]
                {
                    (oldKid, KeyStatus.Retired, (DateTimeOffset?)T0),
                    (created.Key.Kid, KeyStatus.Active, (DateTimeOffset?)null),
                }));
                Assert.That(keyring.Issuers[1].CreatedAt, Is.EqualTo(T0));
                Assert.That(list.Keys.Select(k => (k.Key.Kid, k.Status, k.NotAfter)), Is.EqualTo(new[]
                {
                    (oldKid, KeyStatus.Retired, (DateTimeOffset?)(T0 + ProvinceKeyring.DefaultMaxCodeLifetime)),
                    (created.Key.Kid, KeyStatus.Active, (DateTimeOffset?)null),
                }));
            });
        }
    }

    [Test]
    public void Rotate_WritesAtomically_LeavesNoTempFiles_AndNeverTouchesExistingKeys()
    {
        using TempFolder folder = NewProvince();
        string issuer1 = File.ReadAllText(Path.Combine(folder.Path, "issuer-1.private.jwk"));
        string root = File.ReadAllText(Path.Combine(folder.Path, "root.private.jwk"));

        ProvinceKeyring.Rotate(folder.Path, T0).Key.Dispose();
        ProvinceKeyring.Rotate(folder.Path, T0.AddDays(1)).Key.Dispose();

        string[] expected =
        [
            "keys.json", "root.private.jwk", "root.public.jwk", "issuer-1.private.jwk", "issuer-1.public.jwk",
            "issuer-2.private.jwk", "issuer-2.public.jwk", "issuer-3.private.jwk", "issuer-3.public.jwk",
        ];
        Assert.Multiple(() =>
        {
            Assert.That(Directory.GetFiles(folder.Path).Select(Path.GetFileName), Is.EquivalentTo(expected), "no temporary file is left");
            Assert.That(File.ReadAllText(Path.Combine(folder.Path, "issuer-1.private.jwk")), Is.EqualTo(issuer1));
            Assert.That(File.ReadAllText(Path.Combine(folder.Path, "root.private.jwk")), Is.EqualTo(root));
        });
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(Path.Combine(folder.Path, "issuer-3.private.jwk")),
                Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }

        using ProvinceKeyring keyring = ProvinceKeyring.Load(folder.Path);
        Assert.That(keyring.Issuers.Select(i => (i.Number, i.Status, i.RetiredAt)), Is.EqualTo(new[]
        {
            (1, KeyStatus.Retired, (DateTimeOffset?)T0),
            (2, KeyStatus.Retired, (DateTimeOffset?)T0.AddDays(1)),
            (3, KeyStatus.Active, (DateTimeOffset?)null),
        }));
    }

    [Test]
    public void KeyFolderWritePair_RefusesToOverwrite_AndLeavesNoTempFile()
    {
        using TempFolder folder = NewProvince();
        using EcKey other = EcKey.Generate();
        string before = File.ReadAllText(Path.Combine(folder.Path, "issuer-1.private.jwk"));

        Assert.That(() => KeyFolder.WritePair(folder.Path, "issuer-1", other), Throws.InstanceOf<IOException>());
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(Path.Combine(folder.Path, "issuer-1.private.jwk")), Is.EqualTo(before));
            Assert.That(Directory.GetFiles(folder.Path, "*.tmp"), Is.Empty);
        });
    }

    [Test]
    public void Load_IgnoresIssuerFiles_ThatTheStateFileDoesNotRecord()
    {
        using TempFolder folder = NewProvince();
        ProvinceKeyring.Rotate(folder.Path, T0).Key.Dispose();
        ProvinceKeys.GenerateNextIssuer(folder.Path); // issuer-3 dropped in by hand, or a rotation cut short

        using (ProvinceKeyring keyring = ProvinceKeyring.Load(folder.Path))
        {
            TrustList list = keyring.ToTrustList("410000", "河南省", 3, T0, TimeSpan.FromDays(7));
            Assert.Multiple(() =>
            {
                Assert.That(keyring.UnrecordedIssuerNumbers, Is.EqualTo(new[] { 3 }));
                Assert.That(keyring.Issuers.Select(i => i.Number), Is.EqualTo(new[] { 1, 2 }));
                Assert.That(keyring.ActiveIssuer, Is.SameAs(keyring.Issuers[1].Key));
                Assert.That(list.Keys, Has.Count.EqualTo(2));
            });
        }

        IssuerKeyState next = ProvinceKeyring.Rotate(folder.Path, T0.AddDays(1));
        next.Key.Dispose();
        Assert.That(next.Number, Is.EqualTo(4), "a number is never reused, not even an orphan's");
    }

    [Test]
    public void Revoke_RetiredKey_RecordsReason_AndListsItRevoked_InEveryLaterList()
    {
        using TempFolder folder = NewProvince();
        string oldKid;
        using (ProvinceKeyring before = ProvinceKeyring.Load(folder.Path))
        {
            oldKid = before.ActiveIssuer.Kid;
        }

        ProvinceKeyring.Rotate(folder.Path, T0).Key.Dispose();

        RevokeOutcome outcome = ProvinceKeyring.Revoke(folder.Path, oldKid, "issuer-1 leaked", T0.AddHours(2));

        using ProvinceKeyring keyring = ProvinceKeyring.Load(folder.Path);
        IssuerKeyState revoked = keyring.Issuers[0];
        TrustList muchLater = keyring.ToTrustList("410000", "河南省", 9, T0.AddDays(365), TimeSpan.FromDays(7));
        Assert.Multiple(() =>
        {
            Assert.That(outcome, Is.EqualTo(RevokeOutcome.Revoked));
            Assert.That((revoked.Status, revoked.RevokedAt, revoked.RevocationReason, revoked.RetiredAt),
                Is.EqualTo((KeyStatus.Revoked, (DateTimeOffset?)T0.AddHours(2), "issuer-1 leaked", (DateTimeOffset?)T0)));
            Assert.That(muchLater.Keys.Select(k => (k.Key.Kid, k.Status, k.NotAfter)),
                Does.Contain((oldKid, KeyStatus.Revoked, (DateTimeOffset?)null)), "a revoked key never leaves the list");
        });
    }

    [Test]
    public void Revoke_ByFullThumbprint_Works_AndRevokingTwiceKeepsTheFirstReason()
    {
        using TempFolder folder = NewProvince();
        string thumbprint;
        using (ProvinceKeyring before = ProvinceKeyring.Load(folder.Path))
        {
            thumbprint = before.ActiveIssuer.Thumbprint;
        }

        ProvinceKeyring.Rotate(folder.Path, T0).Key.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(ProvinceKeyring.Revoke(folder.Path, thumbprint, "first", T0.AddHours(1)), Is.EqualTo(RevokeOutcome.Revoked));
            Assert.That(ProvinceKeyring.Revoke(folder.Path, thumbprint[..8], "second", T0.AddHours(2)), Is.EqualTo(RevokeOutcome.AlreadyRevoked));
        });
        using ProvinceKeyring keyring = ProvinceKeyring.Load(folder.Path);
        Assert.That((keyring.Issuers[0].RevocationReason, keyring.Issuers[0].RevokedAt), Is.EqualTo(("first", (DateTimeOffset?)T0.AddHours(1))));
    }

    [Test]
    public void Revoke_ActiveKey_IsRefused_AndWritesNothing()
    {
        using TempFolder folder = NewProvince();
        string activeKid;
        using (ProvinceKeyring before = ProvinceKeyring.Load(folder.Path))
        {
            activeKid = before.ActiveIssuer.Kid;
        }

        RevokeOutcome outcome = ProvinceKeyring.Revoke(folder.Path, activeKid, "compromised", T0);

        Assert.Multiple(() =>
        {
            Assert.That(outcome, Is.EqualTo(RevokeOutcome.ActiveKey));
            Assert.That(File.Exists(StatePath(folder)), Is.False);
        });

        // The documented way: rotate first, then the old key is retired and can be revoked.
        ProvinceKeyring.Rotate(folder.Path, T0).Key.Dispose();
        Assert.That(ProvinceKeyring.Revoke(folder.Path, activeKid, "compromised", T0), Is.EqualTo(RevokeOutcome.Revoked));
    }

    [Test]
    public void Revoke_UnknownKid_ReturnsUnknownKid_AndWritesNothing()
    {
        using TempFolder folder = NewProvince();
        ProvinceKeyring.Rotate(folder.Path, T0).Key.Dispose();
        string before = File.ReadAllText(StatePath(folder));

        RevokeOutcome outcome = ProvinceKeyring.Revoke(folder.Path, "NoSuchKd", "typo", T0);

        Assert.Multiple(() =>
        {
            Assert.That(outcome, Is.EqualTo(RevokeOutcome.UnknownKid));
            Assert.That(File.ReadAllText(StatePath(folder)), Is.EqualTo(before));
        });
    }

    [Test]
    public void ToTrustList_LeavesRetiredKeyOut_OnceEveryCodeItSignedHasExpired()
    {
        using TempFolder folder = NewProvince();
        ProvinceKeyring.Rotate(folder.Path, T0).Key.Dispose();
        using ProvinceKeyring keyring = ProvinceKeyring.Load(folder.Path);
        TimeSpan lifetime = TimeSpan.FromHours(12);

        TrustList atEnd = keyring.ToTrustList("410000", "河南省", 2, T0 + lifetime, TimeSpan.FromDays(7), lifetime);
        TrustList after = keyring.ToTrustList("410000", "河南省", 3, T0 + lifetime + TimeSpan.FromSeconds(1), TimeSpan.FromDays(7), lifetime);

        Assert.Multiple(() =>
        {
            Assert.That(atEnd.Keys.Select(k => k.Status), Is.EqualTo(new[] { KeyStatus.Retired, KeyStatus.Active }));
            Assert.That(after.Keys.Select(k => k.Status), Is.EqualTo(new[] { KeyStatus.Active }));
        });
    }

    [TestCase("""{"issuers":[]}""", TestName = "Load_RejectsStateFile_WithNoActiveKey")]
    [TestCase("""{"issuers":[{"name":"issuer-1","thumbprint":"THUMB","status":"active","createdAt":"2020-03-01T08:00:00Z"},{"name":"issuer-1","thumbprint":"THUMB","status":"retired","createdAt":"2020-03-01T08:00:00Z"}]}""", TestName = "Load_RejectsStateFile_WithAKeyTwice")]
    [TestCase("""{"issuers":[{"name":"issuer-1","thumbprint":"THUMB","status":"active","createdAt":"2020-03-01T08:00:00Z"},{"name":"issuer-9","thumbprint":"x","status":"retired","createdAt":"2020-03-01T08:00:00Z"}]}""", TestName = "Load_RejectsStateFile_WhenARecordedKeyFileIsMissing")]
    [TestCase("""{"issuers":[{"name":"issuer-1","thumbprint":"another","status":"active","createdAt":"2020-03-01T08:00:00Z"}]}""", TestName = "Load_RejectsStateFile_WhenTheKeyFileHoldsAnotherKey")]
    [TestCase("""{"issuers":[{"name":"issuer-1","thumbprint":"THUMB","status":"paused","createdAt":"2020-03-01T08:00:00Z"}]}""", TestName = "Load_RejectsStateFile_WithUnknownStatus")]
    [TestCase("""{"issuers":[{"name":"issuer-1","thumbprint":"THUMB","status":"active","createdAt":"yesterday"}]}""", TestName = "Load_RejectsStateFile_WithBadTime")]
    [TestCase("""{"issuers":""", TestName = "Load_RejectsStateFile_ThatIsNotJson")]
    public void Load_RejectsInvalidStateFile(string json)
    {
        using TempFolder folder = NewProvince();
        string thumbprint;
        using (ProvinceKeys keys = ProvinceKeys.Load(folder.Path))
        {
            thumbprint = keys.ActiveIssuer.Thumbprint;
        }

        File.WriteAllText(StatePath(folder), json.Replace("THUMB", thumbprint, StringComparison.Ordinal));

        Assert.That(() => ProvinceKeyring.Load(folder.Path), Throws.InstanceOf<InvalidKeyException>());
    }

    [Test]
    public void RotateAndRevoke_ReachAPartnerVerifier_ThroughTheSignedTrustList()
    {
        using TempFolder folder = NewProvince();
        var time = new FakeTimeProvider(T0);
        string codeBeforeRotation;
        using (ProvinceKeyring keyring = ProvinceKeyring.Load(folder.Path))
        {
            codeBeforeRotation = new HealthCodeSigner(keyring.ActiveIssuer).SignQr(Crafted.Claims(issuedAt: T0));
        }

        ProvinceKeyring.Rotate(folder.Path, T0).Key.Dispose();
        VerificationResult afterRotation = VerifyAtPartner(folder, seq: 2, codeBeforeRotation, time);

        using (ProvinceKeyring keyring = ProvinceKeyring.Load(folder.Path))
        {
            Assert.That(ProvinceKeyring.Revoke(folder.Path, keyring.Issuers[0].Key.Kid, "leaked", T0), Is.EqualTo(RevokeOutcome.Revoked));
        }

        VerificationResult afterRevocation = VerifyAtPartner(folder, seq: 3, codeBeforeRotation, time);

        Assert.Multiple(() =>
        {
            Assert.That(afterRotation.IsValid, Is.True, "a retired key still verifies the codes it signed");
            Assert.That(afterRevocation.Error, Is.EqualTo(VerificationError.KeyRevoked));
        });
    }

    private static VerificationResult VerifyAtPartner(TempFolder folder, long seq, string qr, TimeProvider time)
    {
        using ProvinceKeyring keyring = ProvinceKeyring.Load(folder.Path);
        string jws = TrustListCodec.Sign(keyring.ToTrustList("410000", "河南省", seq, T0, TimeSpan.FromDays(7)), keyring.Root);
        using EcKey pinnedRoot = EcKey.FromJwk(keyring.Root.ToPublicJwk());
        TrustListResult verified = TrustListCodec.Verify(jws, pinnedRoot, "410000", null, T0, TimeSpan.FromMinutes(1));
        Assert.That(verified.IsValid, Is.True, verified.ToString());
        var store = new TrustStore();
        store.SetPartner(verified.List!);
        return new HealthCodeVerifier(store, time, TimeSpan.FromMinutes(1)).Verify(qr);
    }
}
