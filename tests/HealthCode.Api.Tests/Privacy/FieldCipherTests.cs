using System.Buffers.Text;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Api.Tests.Support;
using HealthCode.Trust.Privacy;

namespace HealthCode.Api.Tests.Privacy;

/// <summary>
/// DESIGN §11, issue 13 item 3: personal fields encrypted with AES-256-GCM under a kid, with the sample privacy keys
/// (keys-sample/privacy) or copies of them rotated here. A value that does not authenticate is refused, never read.
/// </summary>
[TestFixture]
internal sealed class FieldCipherTests
{
    private const string IdNumber = "11010519491231002X";
    private const string PersonId = "p_0001";

    private static readonly string[] Values =
    [
        IdNumber, "张三艺", "13800138000", "",
        // A declaration payload, longer than any buffer kept on the stack.
        "{\"symptoms\":[\"fever\",\"cough\"],\"travel\":[" + string.Join(',', Enumerable.Repeat("\"410100 郑州市\"", 200)) + "]}",
    ];

    [TestCaseSource(nameof(Values))]
    public void Unprotect_GivesBackWhatProtectWrote(string value)
    {
        using var keys = PrivacyKeyRing.Load(PrivacyFolders.Sample);
        using var cipher = new FieldCipher(keys);

        string stored = cipher.Protect(PrivacyField.Declaration, value, PersonId);

        Assert.That(cipher.Unprotect(PrivacyField.Declaration, stored, PersonId), Is.EqualTo(value));
    }

    [Test]
    public void Protect_WritesTheKidOfTheCurrentKey_AndNoClearText_AndANewNonceEachTime()
    {
        using var keys = PrivacyKeyRing.Load(PrivacyFolders.Sample);
        using var cipher = new FieldCipher(keys);

        string first = cipher.Protect(PrivacyField.IdNumber, IdNumber, PersonId);
        string second = cipher.Protect(PrivacyField.IdNumber, IdNumber, PersonId);

        Assert.Multiple(() =>
        {
            Assert.That(first, Does.StartWith($"v1.{PrivacyFolders.CurrentDataKid}."));
            Assert.That(first, Does.Not.Contain(IdNumber).And.Not.Contain(IdNumber[..6]));
            Assert.That(second, Is.Not.EqualTo(first), "the same value twice is two different ciphertexts");
            Assert.That(FieldCipher.IsProtected(first), Is.True);
            Assert.That(FieldCipher.IsProtected(IdNumber), Is.False);
            Assert.That(cipher.Protect(PrivacyField.Phone, null), Is.Null);
            Assert.That(cipher.Unprotect(PrivacyField.Phone, null), Is.Null);
        });
    }

    /// <summary>One cipher serves every request at once (an AesGcm instance is not safe for concurrent use on Linux).</summary>
    [Test]
    public void ManyThreadsAtOnce_EachReadBackTheirOwnValue()
    {
        using var keys = PrivacyKeyRing.Load(PrivacyFolders.Sample);
        using var cipher = new FieldCipher(keys);
        var wrong = new System.Collections.Concurrent.ConcurrentBag<int>();

        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            string value = $"4101051990{i:00000000}";
            string row = $"p_{i}";
            if (cipher.Unprotect(PrivacyField.IdNumber, cipher.Protect(PrivacyField.IdNumber, value, row), row) != value)
            {
                wrong.Add(i);
            }
        });

        Assert.That(wrong, Is.Empty);
    }

    [Test]
    public void AfterRotation_OldValuesStillRead_NewOnesUseTheNewKey_AndOldOnesNeedRewrap()
    {
        string folder = PrivacyFolders.CopyOfSample();
        PrivacyKeyFolder.MakeCurrent(folder, PrivacyFolders.OldDataKid);
        string written;
        using (var before = PrivacyKeyRing.Load(folder))
        using (var cipher = new FieldCipher(before))
        {
            written = cipher.Protect(PrivacyField.FullName, "张三艺", PersonId);
            Assert.That(cipher.NeedsRewrap(written), Is.False, "written with the current key");
        }

        PrivacyKeyFolder.MakeCurrent(folder, PrivacyFolders.CurrentDataKid);
        using var after = PrivacyKeyRing.Load(folder);
        using var rotated = new FieldCipher(after);
        string fresh = rotated.Protect(PrivacyField.FullName, "李四", PersonId);
        string rewrapped = rotated.Rewrap(PrivacyField.FullName, written, PersonId);

        Assert.Multiple(() =>
        {
            Assert.That(written, Does.StartWith($"v1.{PrivacyFolders.OldDataKid}."));
            Assert.That(rotated.Unprotect(PrivacyField.FullName, written, PersonId), Is.EqualTo("张三艺"), "an old value reads after the rotation");
            Assert.That(fresh, Does.StartWith($"v1.{PrivacyFolders.CurrentDataKid}."));
            Assert.That(rotated.NeedsRewrap(written), Is.True);
            Assert.That(rotated.NeedsRewrap(fresh), Is.False);
            Assert.That(rewrapped, Does.StartWith($"v1.{PrivacyFolders.CurrentDataKid}."));
            Assert.That(rotated.Unprotect(PrivacyField.FullName, rewrapped, PersonId), Is.EqualTo("张三艺"));
            Assert.That(rotated.NeedsRewrap(rewrapped), Is.False);
            Assert.That(rotated.Rewrap(PrivacyField.FullName, fresh, PersonId), Is.SameAs(fresh), "a current value is left as it is");
        });
    }

    [Test]
    public void Unprotect_RefusesAValue_WhoseKeyWasRemoved()
    {
        string folder = PrivacyFolders.CopyOfSample();
        PrivacyKeyFolder.MakeCurrent(folder, PrivacyFolders.OldDataKid);
        string written;
        using (var before = PrivacyKeyRing.Load(folder))
        using (var cipher = new FieldCipher(before))
        {
            written = cipher.Protect(PrivacyField.Phone, "13800138000");
        }

        PrivacyKeyFolder.MakeCurrent(folder, PrivacyFolders.CurrentDataKid);
        File.Delete(Path.Combine(folder, PrivacyKeyFolder.FileName(PrivacyKeyUse.Data, PrivacyFolders.OldDataKid)));
        using var after = PrivacyKeyRing.Load(folder);
        using var rotated = new FieldCipher(after);

        var refused = Assert.Throws<ProtectedValueException>(() => rotated.Unprotect(PrivacyField.Phone, written))!;
        Assert.That(refused.Problem, Is.EqualTo(ProtectedValueProblem.UnknownKey));
        Assert.That(refused.Message, Does.Contain(PrivacyFolders.OldDataKid).And.Not.Contain("13800138000"));
    }

    /// <summary>Each part of a stored value changed in turn: each is refused with the problem it is, never decrypted.</summary>
    [TestCase("version", ProtectedValueProblem.UnsupportedVersion)]
    [TestCase("kid of another key", ProtectedValueProblem.Tampered)]
    [TestCase("kid of no key", ProtectedValueProblem.UnknownKey)]
    [TestCase("nonce", ProtectedValueProblem.Tampered)]
    [TestCase("ciphertext", ProtectedValueProblem.Tampered)]
    [TestCase("tag", ProtectedValueProblem.Tampered)]
    [TestCase("truncated by a byte", ProtectedValueProblem.Tampered)]
    [TestCase("truncated below a nonce and a tag", ProtectedValueProblem.Malformed)]
    [TestCase("not base64url", ProtectedValueProblem.Malformed)]
    [TestCase("no kid", ProtectedValueProblem.Malformed)]
    public void Unprotect_RefusesAChangedValue(string part, ProtectedValueProblem problem)
    {
        using var keys = PrivacyKeyRing.Load(PrivacyFolders.Sample);
        using var cipher = new FieldCipher(keys);
        string stored = cipher.Protect(PrivacyField.IdNumber, IdNumber, PersonId);
        string[] parts = stored.Split('.');
        byte[] payload = Base64Url.DecodeFromChars(parts[2]);
        int cipherLength = payload.Length - 12 - 16;
        Assert.That(cipherLength, Is.EqualTo(IdNumber.Length), "payload = nonce ‖ ciphertext ‖ tag");

        string changed = part switch
        {
            "version" => $"v2.{parts[1]}.{parts[2]}",
            "kid of another key" => $"v1.{PrivacyFolders.OldDataKid}.{parts[2]}",
            "kid of no key" => $"v1.00000000.{parts[2]}",
            "nonce" => WithFlippedByte(parts, payload, 3),
            "ciphertext" => WithFlippedByte(parts, payload, 12 + 5),
            "tag" => WithFlippedByte(parts, payload, payload.Length - 1),
            "truncated by a byte" => $"v1.{parts[1]}.{Base64Url.EncodeToString(payload.AsSpan(0, payload.Length - 1))}",
            "truncated below a nonce and a tag" => $"v1.{parts[1]}.{Base64Url.EncodeToString(payload.AsSpan(0, 27))}",
            "not base64url" => $"v1.{parts[1]}.{parts[2][..^4]}*!*!",
            _ => $"v1..{parts[2]}",
        };

        var refused = Assert.Throws<ProtectedValueException>(() => cipher.Unprotect(PrivacyField.IdNumber, changed, PersonId))!;
        Assert.Multiple(() =>
        {
            Assert.That(refused.Problem, Is.EqualTo(problem), refused.Message);
            Assert.That(refused.Message, Does.Contain("id_number").And.Not.Contain(IdNumber));
            Assert.That(cipher.Unprotect(PrivacyField.IdNumber, stored, PersonId), Is.EqualTo(IdNumber), "the unchanged value still reads");
        });
    }

    [Test]
    public void Unprotect_RefusesAValueMovedToAnotherField()
    {
        using var keys = PrivacyKeyRing.Load(PrivacyFolders.Sample);
        using var cipher = new FieldCipher(keys);
        string phone = cipher.Protect(PrivacyField.Phone, "13800138000", PersonId);

        var refused = Assert.Throws<ProtectedValueException>(() => cipher.Unprotect(PrivacyField.IdNumber, phone, PersonId))!;

        Assert.That(refused.Problem, Is.EqualTo(ProtectedValueProblem.Tampered));
    }

    [TestCase("p_0002")]
    [TestCase(null)]
    [TestCase("p_000")]
    public void Unprotect_RefusesAValueMovedToAnotherRow(string? otherRow)
    {
        using var keys = PrivacyKeyRing.Load(PrivacyFolders.Sample);
        using var cipher = new FieldCipher(keys);
        string name = cipher.Protect(PrivacyField.FullName, "张三艺", PersonId);

        var refused = Assert.Throws<ProtectedValueException>(() => cipher.Unprotect(PrivacyField.FullName, name, otherRow))!;

        Assert.That(refused.Problem, Is.EqualTo(ProtectedValueProblem.Tampered));
    }

    private static string WithFlippedByte(string[] parts, byte[] payload, int index)
    {
        byte[] copy = [.. payload];
        copy[index] ^= 0x01;
        return $"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(copy)}";
    }
}
