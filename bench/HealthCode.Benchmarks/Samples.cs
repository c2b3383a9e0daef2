using HealthCode.Api.Features.Declarations;
using HealthCode.Trust;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;

namespace HealthCode.Benchmarks;

/// <summary>The inputs every benchmark shares: the Henan (own) and Zhejiang (partner) sample keys and a typical code.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);

    public static readonly HealthCodeClaims TypicalClaims = new(
        "410000", "k3J9xQ2mT7vB4nLp", Now, Now.AddMinutes(5), CodeColor.Green, "张*艺", "123X", 3);

    /// <summary>The same code as issued by the partner province 330000 (Zhejiang).</summary>
    public static readonly HealthCodeClaims PartnerClaims = TypicalClaims with { Issuer = "330000" };

    public static readonly DateOnly Today = new(2026, 11, 28);

    public static string RepoRoot { get; } = FindRoot();

    public static ProvinceKeys HenanKeys() => SampleKeys("410000");

    public static ProvinceKeys ZhejiangKeys() => SampleKeys("330000");

    /// <summary>A sample province's key folder, <c>keys-sample/&lt;iss&gt;</c>.</summary>
    public static string SampleFolder(string issuer) => Path.Combine(RepoRoot, "keys-sample", issuer);

    public static string TypicalQrText()
    {
        using var keys = HenanKeys();
        return new HealthCodeSigner(keys.ActiveIssuer).SignQr(TypicalClaims);
    }

    public static Declaration TypicalDeclaration() => new(
        "张三艺",
        "11010519491231002X",
        "13800138000",
        "410100",
        [new TravelEntry("330100", Today.AddDays(-5), Today.AddDays(-3)), new TravelEntry("440300", Today.AddDays(-2), Today.AddDays(-1))],
        ["cough"],
        36.8m,
        new ContactDeclaration(false, false, false),
        new TestDeclaration("negative", Now.AddDays(-1)));

    private static ProvinceKeys SampleKeys(string issuer) => ProvinceKeys.Load(SampleFolder(issuer));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HealthCode.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmarks from inside the repository.");
    }
}
