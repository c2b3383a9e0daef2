using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;

namespace HealthCode.Trust.Tests;

/// <summary>Paths in the repository, found from the test binaries by walking up to HealthCode.sln.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string KeysSample => Path.Combine(Root, "keys-sample");

    public static string Province(string code) => Path.Combine(KeysSample, code);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HealthCode.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("HealthCode.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder removed on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hc-trust-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>Hand-made tokens: any header, any payload, any signature format — what an attacker or a buggy issuer could send.</summary>
internal static class Crafted
{
    public static readonly DateTimeOffset Now = new(2020, 3, 1, 8, 0, 0, TimeSpan.Zero);

    public static HealthCodeClaims Claims(string issuer = "410000", DateTimeOffset? issuedAt = null, TimeSpan? lifetime = null)
    {
        DateTimeOffset iat = issuedAt ?? Now;
        return new HealthCodeClaims(issuer, "k3J9xQ2mT7vB4nLp", iat, iat + (lifetime ?? TimeSpan.FromMinutes(5)), CodeColor.Green, "张*艺", "123X", 3);
    }

    public static string Header(string kid, string alg = "ES256", string typ = "hc+jwt") =>
        $$"""{"alg":"{{alg}}","typ":"{{typ}}","kid":"{{kid}}"}""";

    public static string Payload(string issuer = "410000", long? iat = null, long? exp = null, string extra = "")
    {
        long issued = iat ?? Now.ToUnixTimeSeconds();
        long expires = exp ?? issued + 300;
        return $$"""{"iss":"{{issuer}}","sub":"k3J9xQ2mT7vB4nLp","iat":{{issued}},"exp":{{expires}},"c":"g","n":"张*艺","t":"123X","v":3{{extra}}}""";
    }

    public static string B64(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    /// <summary>A compact JWS over the given JSON, signed ES256 by <paramref name="key"/> in the given signature format.</summary>
    public static string Jws(string headerJson, string payloadJson, EcKey key, DSASignatureFormat format = DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
    {
        string input = B64(headerJson) + "." + B64(payloadJson);
        byte[] signature = key.Ecdsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, format);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    public static string Qr(string headerJson, string payloadJson, EcKey key) => QrText.Encode(Jws(headerJson, payloadJson, key));

    /// <summary>The numeric QR form of any text in '-'..'z', without <see cref="QrText.Encode"/>'s JWS check.</summary>
    public static string UncheckedQr(string text) =>
        QrText.Prefix + string.Concat(text.Select(c => (c - '-').ToString("00", System.Globalization.CultureInfo.InvariantCulture)));

    public static string[] Segments(string qrText)
    {
        Assert.That(QrText.TryDecode(qrText, out string jws), Is.True);
        return jws.Split('.');
    }
}
