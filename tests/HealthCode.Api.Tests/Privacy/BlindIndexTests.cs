using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Api.Tests.Support;
using HealthCode.Trust.Privacy;

namespace HealthCode.Api.Tests.Privacy;

/// <summary>DESIGN §11: look-ups by ID number or phone go through keyed blind indexes (HMAC-SHA256), per field.</summary>
[TestFixture]
internal sealed class BlindIndexTests
{
    [Test]
    public void AnIndex_IsTheDocumentedHmac_OfTheFieldAndTheNormalisedValue()
    {
        using var keys = PrivacyKeyRing.Load(PrivacyFolders.Sample);
        // Computed here from the key file and keys-sample/privacy/README.md, not by the service's code.
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(PrivacyFolders.Sample, $"index-{PrivacyFolders.IndexKid}.json")))!;
        byte[] secret = Convert.FromBase64String(file["secret"]!.GetValue<string>());
        byte[] input = [0, 0, 0, 9, .. "id_number"u8, .. "11010519491231002X"u8];

        string index = new BlindIndex(keys).Compute(PrivacyField.IdNumber, " 11010519491231002x ");

        Assert.That(index, Is.EqualTo(Base64Url.EncodeToString(HMACSHA256.HashData(secret, input))));
    }

    [TestCase("id_number", "11010519491231002x", "11010519491231002X")]
    [TestCase("phone", "138 0013 8000", "13800138000")]
    [TestCase("phone", "+86 138-0013-8000", "13800138000")]
    [TestCase("phone", "0086 13800138000", "13800138000")]
    [TestCase("name", " 张三艺 ", "张三艺")]
    public void SpellingsOfOneValue_HaveOneIndex(string field, string spelling, string canonical)
    {
        using var keys = PrivacyKeyRing.Load(PrivacyFolders.Sample);
        var index = new BlindIndex(keys);
        PrivacyField of = field switch { "id_number" => PrivacyField.IdNumber, "phone" => PrivacyField.Phone, _ => PrivacyField.FullName };

        Assert.That(index.Compute(of, spelling), Is.EqualTo(index.Compute(of, canonical)));
    }

    [Test]
    public void OneNumber_HasDifferentIndexes_InDifferentFields_AndDifferentNumbersDiffer()
    {
        using var keys = PrivacyKeyRing.Load(PrivacyFolders.Sample);
        var index = new BlindIndex(keys);

        Assert.Multiple(() =>
        {
            Assert.That(index.Compute(PrivacyField.IdNumber, "13800138000"), Is.Not.EqualTo(index.Compute(PrivacyField.Phone, "13800138000")));
            Assert.That(index.Compute(PrivacyField.Phone, "13800138000"), Is.Not.EqualTo(index.Compute(PrivacyField.Phone, "13800138001")));
            Assert.That(index.Compute(PrivacyField.Phone, null), Is.Null);
        });
    }

    [Test]
    public void AnIndex_StaysTheSame_WhenTheDataKeyRotates()
    {
        string folder = PrivacyFolders.CopyOfSample();
        PrivacyKeyFolder.MakeCurrent(folder, PrivacyFolders.OldDataKid);
        string before;
        using (var old = PrivacyKeyRing.Load(folder))
        {
            before = new BlindIndex(old).Compute(PrivacyField.IdNumber, "11010519491231002X");
        }

        PrivacyKeyFolder.MakeCurrent(folder, PrivacyFolders.CurrentDataKid);
        using var rotated = PrivacyKeyRing.Load(folder);

        Assert.That(new BlindIndex(rotated).Compute(PrivacyField.IdNumber, "11010519491231002X"), Is.EqualTo(before));
    }

    [Test]
    public void AnIndex_DependsOnTheIndexKey()
    {
        using var sample = PrivacyKeyRing.Load(PrivacyFolders.Sample);
        using var own = PrivacyKeyRing.Load(PrivacyFolders.Own());

        Assert.That(new BlindIndex(own).Compute(PrivacyField.Phone, "13800138000"),
            Is.Not.EqualTo(new BlindIndex(sample).Compute(PrivacyField.Phone, "13800138000")));
    }
}
