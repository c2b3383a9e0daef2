using HealthCode.Api.Features.Declarations;

namespace HealthCode.Api.Tests.Features.Declarations;

internal sealed class RegionCodesTests
{
    private static readonly string[] AllProvinces =
    [
        "110000", "120000", "130000", "140000", "150000",
        "210000", "220000", "230000",
        "310000", "320000", "330000", "340000", "350000", "360000", "370000",
        "410000", "420000", "430000", "440000", "450000", "460000",
        "500000", "510000", "520000", "530000", "540000",
        "610000", "620000", "630000", "640000", "650000",
        "710000", "810000", "820000",
    ];

    [Test]
    public void Table_HasEveryProvinceLevelDivision()
    {
        Assert.Multiple(() =>
        {
            Assert.That(AllProvinces, Has.Length.EqualTo(34));
            Assert.That(AllProvinces.Where(p => !RegionCodes.Exists(p)), Is.Empty);
            Assert.That(RegionCodes.Provinces(), Is.EqualTo(AllProvinces));
        });
    }

    [TestCase("410100", "郑州市")]
    [TestCase("330100", "杭州市")]
    [TestCase("440300", "深圳市")]
    [TestCase("652800", "巴音郭楞蒙古自治州")]
    [TestCase("110100", "北京市市辖区")]
    [TestCase("500200", "重庆市县")]
    [TestCase("429000", "湖北省省直辖县级行政区划")]
    [TestCase("469000", "海南省省直辖县级行政区划")]
    [TestCase("659000", "新疆维吾尔自治区直辖县级行政区划")]
    [TestCase("152900", "阿拉善盟")]
    [TestCase("232700", "大兴安岭地区")]
    [TestCase("460300", "三沙市")]
    [TestCase("540600", "那曲市")]
    [TestCase("710000", "台湾省")]
    [TestCase("810000", "香港特别行政区")]
    [TestCase("820000", "澳门特别行政区")]
    public void Table_HasKnownDivisions(string code, string name)
    {
        Assert.Multiple(() =>
        {
            Assert.That(RegionCodes.Exists(code), Is.True);
            Assert.That(RegionCodes.Name(code), Is.EqualTo(name));
        });
    }

    [TestCase("410105")]
    [TestCase("330106")]
    [TestCase("429004")]
    [TestCase("110101")]
    public void Exists_AcceptsCountyLevelCodesUnderAListedPrefecture(string code)
    {
        Assert.Multiple(() =>
        {
            Assert.That(RegionCodes.Exists(code), Is.True);
            Assert.That(RegionCodes.Name(code), Is.Null, "county names are not shipped");
        });
    }

    [TestCase("419900", Description = "an unlisted prefecture")]
    [TestCase("419901", Description = "a county under an unlisted prefecture")]
    [TestCase("410001", Description = "a county directly under a province row is not a county rule match")]
    [TestCase("990000")]
    [TestCase("41010")]
    [TestCase("4101050")]
    [TestCase("41010a")]
    [TestCase("")]
    [TestCase(null)]
    public void Exists_RejectsUnknownOrMalformedCodes(string? code)
    {
        Assert.That(RegionCodes.Exists(code), Is.False);
    }

    [TestCase("371200")]
    [TestCase("371202")]
    [TestCase("110228")]
    public void RetiredCodes_AreKnownForIdNumbersButNotDeclarable(string code)
    {
        Assert.Multiple(() =>
        {
            Assert.That(RegionCodes.Exists(code), Is.False);
            Assert.That(RegionCodes.IsKnownForIdNumber(code), Is.True);
        });
    }

    [Test]
    public void Table_HasEveryPrefectureLevelDivisionCount()
    {
        // 34 provinces and 342 prefecture-level rows (333 prefectures and the 9 county/district
        // groupings of GB/T 2260). Every prefecture row sits under a listed province.
        var prefectures = Enumerable.Range(11, 72)
            .SelectMany(p => Enumerable.Range(1, 99).Select(c => $"{p:00}{c:00}00"))
            .Where(RegionCodes.Exists)
            .ToList();

        Assert.Multiple(() =>
        {
            Assert.That(prefectures, Has.Count.EqualTo(342));
            Assert.That(prefectures.Where(c => !RegionCodes.Exists(c[..2] + "0000")), Is.Empty);
        });
    }

    [Test]
    public void Describe_NamesTheNearestListedDivision()
    {
        Assert.Multiple(() =>
        {
            Assert.That(RegionCodes.Describe("410105", english: false), Is.EqualTo("郑州市 (410105)"));
            Assert.That(RegionCodes.Describe("410100", english: true), Is.EqualTo("Zhengzhou (410100)"));
            Assert.That(RegionCodes.Describe("999999", english: true), Is.EqualTo("999999"));
        });
    }
}
