using System.Text;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Privacy;

/// <summary>
/// A received batch's body kept in the store in encrypted parts (<see cref="FieldCipher.ProtectBytes"/>, BatchBodies):
/// each part reads back only in its own batch and place, and a changed byte anywhere is refused, never read.
/// </summary>
[TestFixture]
internal sealed class ProtectedBytesTests
{
    private const string Place = "410000-CDC-002/cc-1/0";

    private static readonly byte[] Body = Encoding.UTF8.GetBytes("idNumber,name,notifiedAt,until,caseRef\n11010519491231002X,张三艺,2026-12-07T08:00:00+08:00,2026-12-17,HA-0017\n");

    [Test]
    public void UnprotectBytes_GivesBackWhatProtectBytesWrote_WithNoClearTextInBetween()
    {
        using var keys = PrivacyKeyRing.Load(PrivacyFolders.Sample);
        using var cipher = new FieldCipher(keys);

        var blob = cipher.ProtectBytes(PrivacyField.BatchBody, Body, Place);

        Assert.Multiple(() =>
        {
            Assert.That(cipher.UnprotectBytes(PrivacyField.BatchBody, blob, Place), Is.EqualTo(Body));
            Assert.That(Encoding.UTF8.GetString(blob), Does.Not.Contain("11010519491231002X").And.Not.Contain("张三艺"));
            Assert.That(Encoding.ASCII.GetString(blob, 1, 8), Is.EqualTo(PrivacyFolders.CurrentDataKid));
            Assert.That(cipher.ProtectBytes(PrivacyField.BatchBody, Body, Place), Is.Not.EqualTo(blob), "a new nonce each time");
            Assert.That(cipher.UnprotectBytes(PrivacyField.BatchBody, cipher.ProtectBytes(PrivacyField.BatchBody, [], Place), Place), Is.Empty);
        });
    }

    [Test]
    public void APartReadInAnotherPlace_OrWithAnyByteChanged_IsRefused()
    {
        using var keys = PrivacyKeyRing.Load(PrivacyFolders.Sample);
        using var cipher = new FieldCipher(keys);
        var blob = cipher.ProtectBytes(PrivacyField.BatchBody, Body, Place);

        Assert.Multiple(() =>
        {
            Assert.That(() => cipher.UnprotectBytes(PrivacyField.BatchBody, blob, "410000-CDC-002/cc-1/1"), Throws.TypeOf<ProtectedValueException>(), "another part's place");
            Assert.That(() => cipher.UnprotectBytes(PrivacyField.Declaration, blob, Place), Throws.TypeOf<ProtectedValueException>(), "another field");
            Assert.That(() => cipher.UnprotectBytes(PrivacyField.BatchBody, blob.AsSpan(0, 20), Place), Throws.TypeOf<ProtectedValueException>(), "truncated");
            for (var at = 0; at < blob.Length; at++)
            {
                var changed = (byte[])blob.Clone();
                changed[at] ^= 0x01;
                Assert.That(() => cipher.UnprotectBytes(PrivacyField.BatchBody, changed, Place), Throws.TypeOf<ProtectedValueException>(), $"byte {at} changed");
            }
        });
    }
}
