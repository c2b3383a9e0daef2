using HealthCode.Api.Features.Declarations;
using static HealthCode.Api.Tests.Features.Declarations.DeclarationSamples;

namespace HealthCode.Api.Tests.Features.Declarations;

internal sealed class IdNumberTests
{
    [Test]
    public void TestHelper_ComputesTheStandardsExampleCheckCharacter()
    {
        // The worked example of GB 11643-1999: 11010519491231002X.
        Assert.That(Id("11010519491231002"), Is.EqualTo("11010519491231002X"));
    }

    [TestCase("11010519491231002")]
    [TestCase("41010519900307123")]
    [TestCase("33010619850101001")]
    [TestCase("44030520000229004")] // leap day
    [TestCase("65280119700615888")]
    [TestCase("42900419881111222")] // 429004 Xiantao: province-administered county-level
    [TestCase("37120219800101001")] // 371202: Laiwu, retired in 2019, still on ID cards
    public void IsValid_AcceptsGeneratedIds(string first17)
    {
        var valid = IdNumber.IsValid(Id(first17), Today, out var error);

        Assert.Multiple(() =>
        {
            Assert.That(valid, Is.True, error);
            Assert.That(error, Is.Empty);
        });
    }

    [Test]
    public void IsValid_AcceptsLowercaseX()
    {
        Assert.That(IdNumber.IsValid("11010519491231002x", Today, out _), Is.True);
    }

    [TestCase("11010519491231002", IdNumber.InvalidChecksum)]
    [TestCase("41010519900307123", IdNumber.InvalidChecksum)]
    public void IsValid_RejectsWrongCheckCharacter(string first17, string expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(IdNumber.IsValid(WrongCheck(first17), Today, out var error), Is.False);
            Assert.That(error, Is.EqualTo(expected));
        });
    }

    [Test]
    public void IsValid_RejectsTransposedDigits()
    {
        // Swapping two different digits changes the weighted sum: the check catches it.
        var id = Id("41010519900307123");
        var swapped = string.Concat(id.AsSpan(0, 14), id[15].ToString(), id[14].ToString(), id.AsSpan(16));

        Assert.Multiple(() =>
        {
            Assert.That(IdNumber.IsValid(swapped, Today, out var error), Is.False);
            Assert.That(error, Is.EqualTo(IdNumber.InvalidChecksum));
        });
    }

    [TestCase("")]
    [TestCase("1101051949123100")]
    [TestCase("1101051949123100299")]
    [TestCase("11010519491231002Y")]
    [TestCase("1101051949123100X2")]
    [TestCase("11010５19491231002X")] // a full-width digit is not an ASCII digit
    public void IsValid_RejectsMalformed(string id)
    {
        var valid = IdNumber.IsValid(id, Today, out var error);

        Assert.Multiple(() =>
        {
            Assert.That(valid, Is.False);
            Assert.That(error, Is.EqualTo(id.Length == 0 ? "required" : IdNumber.InvalidFormat));
        });
    }

    [TestCase("41010519900230123", Description = "30 February")]
    [TestCase("41010519901301123", Description = "month 13")]
    [TestCase("41010519010229123", Description = "1901 is not a leap year")]
    [TestCase("41010520250311123", Description = "born tomorrow")]
    public void IsValid_RejectsImpossibleBirthDates(string first17)
    {
        Assert.Multiple(() =>
        {
            Assert.That(IdNumber.IsValid(Id(first17), Today, out var error), Is.False);
            Assert.That(error, Is.EqualTo(IdNumber.InvalidBirthDate));
        });
    }

    [Test]
    public void IsValid_AcceptsBirthToday()
    {
        Assert.That(IdNumber.IsValid(Id("41010520250310123"), Today, out _), Is.True);
    }

    [TestCase("99010519900307123", Description = "no province 99")]
    [TestCase("41990019900307123", Description = "no prefecture 4199")]
    [TestCase("71010119900307123", Description = "Taiwan has no prefecture rows")]
    public void IsValid_ChecksTheRegionCode(string first17)
    {
        var valid = IdNumber.IsValid(Id(first17), Today, out var error);

        Assert.Multiple(() =>
        {
            Assert.That(valid, Is.False);
            Assert.That(error, Is.EqualTo(IdNumber.InvalidRegion));
        });
    }

    [TestCase("11010519491231002X", "002X")]
    [TestCase("11010519491231002x", "002X")]
    [TestCase("410105199003071234", "1234")]
    public void Tail_IsTheLastFourCharacters(string id, string tail)
    {
        Assert.That(IdNumber.Tail(id), Is.EqualTo(tail));
    }

    [TestCase("张三艺", "张*艺")]
    [TestCase("张三", "张*")]
    [TestCase("张", "*")]
    [TestCase("欧阳娜娜", "欧**娜")]
    [TestCase(" 张三艺 ", "张*艺")]
    [TestCase("阿卜杜·热合曼", "阿**·**曼")]
    [TestCase("阿·热合曼", "*·**曼")]
    [TestCase("热合曼·阿", "热**·*")]
    [TestCase("John Smith", "J*** ****h")]
    [TestCase("Li Na", "L* *a")]
    [TestCase("A B", "* *")]
    [TestCase("Jo A", "J* *")]
    [TestCase("Li", "L*")]
    [TestCase("Ann", "A*n")]
    [TestCase("  a  ", "*")]
    [TestCase(" a b ", "* *")]
    [TestCase("·", "*")]
    [TestCase("𠮷", "*")] // a character outside the BMP counts as one
    [TestCase("𠮷野", "𠮷*")]
    [TestCase("𠮷野家", "𠮷*家")]
    [TestCase("野𠮷", "野*")]
    public void MaskName_HidesAtLeastOneCharacterOfEveryPart(string name, string masked)
    {
        Assert.That(IdNumber.MaskName(name), Is.EqualTo(masked));
    }

    [TestCase("张")]
    [TestCase("张三")]
    [TestCase("A B")]
    [TestCase("Li Na")]
    [TestCase("J. R. R. Tolkien")]
    [TestCase("买买提·吐尔逊")]
    [TestCase("Mary-Jane O'Neil")]
    [TestCase("𠮷 𠮷")]
    [TestCase("e\u0301e")] // é written with a combining accent is one character
    public void MaskName_NeverShowsTheWholeName_NorAWholePart(string name)
    {
        var masked = IdNumber.MaskName(name);
        var separators = new[] { ' ', '·', '-', '.', '\'' };

        Assert.That(masked, Is.Not.EqualTo(name.Trim()));
        Assert.That(masked.Split(separators, StringSplitOptions.RemoveEmptyEntries), Has.All.Contain("*"), masked);
    }
}
