using HealthCode.Trust.Tokens;

namespace HealthCode.Trust.Tests;

public sealed class QrTextTests
{
    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    [Test]
    public void Encode_WritesPrefixThenTwoDigitsPerCharacter()
    {
        // '-' = 45 -> 00, '.' -> 01, '0' -> 03, 'A' -> 20, '_' -> 50, 'z' -> 77 (SMART Health Cards numeric mode)
        Assert.That(QrText.Encode("-.0A_z"), Is.EqualTo("HC1:/000103205077"));
    }

    [Test]
    public void Encode_ThenTryDecode_RoundTripsEveryJwsCharacter()
    {
        string jws = Base64UrlAlphabet + "." + Base64UrlAlphabet + "." + Base64UrlAlphabet;

        string qr = QrText.Encode(jws);

        Assert.Multiple(() =>
        {
            Assert.That(qr[QrText.Prefix.Length..], Has.All.Matches<char>(char.IsAsciiDigit));
            Assert.That(QrText.TryDecode(qr, out string decoded), Is.True);
            Assert.That(decoded, Is.EqualTo(jws));
        });
    }

    [TestCase("a b")]
    [TestCase("a+b")]
    [TestCase("a/b")]
    [TestCase("a{b")]
    [TestCase("张")]
    public void Encode_Throws_ForCharactersNotInACompactJws(string notJws)
    {
        Assert.That(() => QrText.Encode(notJws), Throws.ArgumentException);
    }

    [TestCase("", TestName = "TryDecode_Rejects_Empty")]
    [TestCase("HC1:/", TestName = "TryDecode_Rejects_EmptyBody")]
    [TestCase("000103", TestName = "TryDecode_Rejects_MissingPrefix")]
    [TestCase("hc1:/000103", TestName = "TryDecode_Rejects_LowercasePrefix")]
    [TestCase("HC2:/000103", TestName = "TryDecode_Rejects_OtherVersion")]
    [TestCase("shc:/000103", TestName = "TryDecode_Rejects_SmartHealthCardPrefix")]
    [TestCase("HC1:/00010", TestName = "TryDecode_Rejects_OddLength")]
    [TestCase("HC1:/0001a3", TestName = "TryDecode_Rejects_NonDigit")]
    [TestCase("HC1:/00 103", TestName = "TryDecode_Rejects_InnerSpace")]
    [TestCase("HC1:/000178", TestName = "TryDecode_Rejects_PairAbove77")]
    [TestCase("HC1:/99", TestName = "TryDecode_Rejects_Pair99")]
    [TestCase("HC1:/٠١٢٣", TestName = "TryDecode_Rejects_ArabicIndicDigits")]
    [TestCase("HC1:/０１２３", TestName = "TryDecode_Rejects_FullWidthDigits")]
    [TestCase("HC1:/🟩🟩", TestName = "TryDecode_Rejects_Emoji")]
    public void TryDecode_Rejects(string qrText)
    {
        Assert.Multiple(() =>
        {
            Assert.That(QrText.TryDecode(qrText, out string jws), Is.False);
            Assert.That(jws, Is.Empty);
        });
    }

    [Test]
    public void TryDecode_Rejects_TextLongerThanMaxLength()
    {
        string qr = QrText.Prefix + new string('0', QrText.MaxLength);

        Assert.That(QrText.TryDecode(qr, out _), Is.False);
    }
}
