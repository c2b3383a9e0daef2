using System.Globalization;
using HealthCode.Api.Features.Declarations;
using ServiceIdNumber = HealthCode.Api.Features.Declarations.IdNumber;

namespace HealthCode.BatchBench;

/// <summary>
/// Person number <c>i</c> of the bench, the same in every command: a valid GB 11643-1999 ID number (a Henan county's
/// address code, a birth date, a sequence and the check character computed by the service's own rule), a name and a
/// phone. The generator's rows and the residents who declare are the same persons, so a batch names them as they declared.
/// </summary>
internal static class People
{
    /// <summary>At most this many distinct persons: 1,000 sequences × 20 counties × 25,000 birth dates.</summary>
    public const int Max = 1000 * 20 * 25_000;

    // GB/T 2260 codes of counties of Zhengzhou, Kaifeng and Luoyang (410000); checked against the service's table in Check().
    private static readonly string[] Counties =
    [
        "410102", "410103", "410104", "410105", "410106", "410108", "410122", "410181", "410182", "410183",
        "410184", "410185", "410202", "410203", "410204", "410205", "410302", "410303", "410304", "410305",
    ];

    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"];

    private static readonly string[] Given =
    [
        "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞",
        "平", "刚", "桂英", "建华", "文", "华", "红", "玉兰", "志强", "丹",
    ];

    private static readonly DateOnly FirstBirth = new(1950, 1, 1);

    /// <summary>Throws when a county code is not one the service accepts in an ID number.</summary>
    public static void Check()
    {
        if (Counties.FirstOrDefault(c => !RegionCodes.IsKnownForIdNumber(c)) is { } unknown)
        {
            throw new InvalidOperationException($"{unknown} is not a GB/T 2260 code the service knows");
        }
    }

    /// <summary>Distinct for every index below <see cref="Max"/>: (county, birth date, sequence) is a bijection of it.</summary>
    public static string IdNumber(int index)
    {
        var sequence = index % 1000;
        var rest = index / 1000;
        var county = Counties[rest % Counties.Length];
        // 97 is prime to 25,000: distinct birth dates for distinct rests, spread over 68 years.
        var birth = FirstBirth.AddDays((int)((long)(rest / Counties.Length) * 97 % 25_000));
        var first17 = string.Create(CultureInfo.InvariantCulture, $"{county}{birth:yyyyMMdd}{sequence:D3}");
        return first17 + ServiceIdNumber.CheckCharacter(first17);
    }

    public static string Name(int index) => Surnames[index % Surnames.Length] + Given[index / Surnames.Length % Given.Length];

    /// <summary>A mobile number of the 139 range: 139 and the index in 8 digits.</summary>
    public static string Phone(int index) => string.Create(CultureInfo.InvariantCulture, $"139{index:D8}");
}
