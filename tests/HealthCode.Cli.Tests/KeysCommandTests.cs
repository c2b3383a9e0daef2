using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Verification;

namespace HealthCode.Cli.Tests;

/// <summary><c>healthcode keys generate | thumbprint | rotate | revoke</c>, on key folders copied to a temporary folder.</summary>
public sealed class KeysCommandTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The RFC 7638 §3.2 thumbprint of an EC public JWK, computed here from the file, not by the kernel.</summary>
    private static string Rfc7638Thumbprint(string jwkPath)
    {
        JsonNode jwk = JsonNode.Parse(File.ReadAllText(jwkPath))!;
        // Required members only, in lexicographic order, no whitespace (RFC 7638 §3.2, §3.3).
        string canonical = $$"""{"crv":"{{jwk["crv"]}}","kty":"{{jwk["kty"]}}","x":"{{jwk["x"]}}","y":"{{jwk["y"]}}"}""";
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>Private key files are read/write for their owner only (no Unix modes on Windows).</summary>
    internal static void AssertOwnerOnly(params string[] privateKeyFiles)
    {
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(privateKeyFiles.Select(File.GetUnixFileMode), Is.All.EqualTo(OwnerOnly), string.Join(", ", privateKeyFiles));
        }
    }

    private static JsonArray Issuers(string keysFolder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(keysFolder, ProvinceKeyring.StateFileName)))!["issuers"]!.AsArray();

    private static string Kid(string keysFolder, string name)
    {
        using EcKey key = EcKey.Load(Path.Combine(keysFolder, name + KeyFolder.PublicSuffix));
        return key.Kid;
    }

    [Test]
    public async Task KeysGenerate_WritesOwnerOnlyPrivateKeys_AndPrintsTheirKids()
    {
        using var temp = new TempFolder();
        string folder = temp["410000"];

        CliResult run = await Cli.RunAsync("keys", "generate", "--province", "410000", "--out", folder);

        Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok), run.ToString());
        string[] files = [.. Directory.EnumerateFiles(folder).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];
        string rootThumbprint = Rfc7638Thumbprint(Path.Combine(folder, "root.public.jwk"));
        string issuerThumbprint = Rfc7638Thumbprint(Path.Combine(folder, "issuer-1.public.jwk"));
        Assert.Multiple(() =>
        {
            Assert.That(files, Is.EqualTo(new[] { "issuer-1.private.jwk", "issuer-1.public.jwk", "root.private.jwk", "root.public.jwk" }));
            Assert.That(run.Stdout, Does.Contain($"root kid {rootThumbprint[..EcKey.KidLength]}"));
            Assert.That(run.Stdout, Does.Contain($"issuer-1 kid {issuerThumbprint[..EcKey.KidLength]}"));
            Assert.That(run.Stderr, Is.Empty);
        });

        // The usage text promises owner-only private files (DESIGN §4.4); public files are for everyone.
        AssertOwnerOnly(Path.Combine(folder, "root.private.jwk"), Path.Combine(folder, "issuer-1.private.jwk"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(Path.Combine(folder, "root.public.jwk")) & UnixFileMode.OtherRead, Is.EqualTo(UnixFileMode.OtherRead));
        }

        // The pair loads as a province key folder, with private keys that sign.
        using ProvinceKeys keys = ProvinceKeys.Load(folder);
        Assert.Multiple(() =>
        {
            Assert.That(keys.Root.Thumbprint, Is.EqualTo(rootThumbprint));
            Assert.That(keys.ActiveIssuer.Thumbprint, Is.EqualTo(issuerThumbprint));
            Assert.That(keys.Root.HasPrivateKey && keys.ActiveIssuer.HasPrivateKey, Is.True);
            Assert.That(SampleKeys.IsSample(keys.Root), Is.False);
        });
    }

    [Test]
    public async Task KeysGenerate_WritesHubAnchor_OwnerOnly()
    {
        using var temp = new TempFolder();
        string folder = temp["hub"];

        CliResult run = await Cli.RunAsync("keys", "generate", "--hub", "--out", folder);

        Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok), run.ToString());
        string thumbprint = Rfc7638Thumbprint(Path.Combine(folder, "anchor.public.jwk"));
        Assert.Multiple(() =>
        {
            Assert.That(Directory.EnumerateFiles(folder).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal),
                Is.EqualTo(new[] { "anchor.private.jwk", "anchor.public.jwk" }));
            Assert.That(run.Stdout, Does.Contain($"hub anchor  kid {thumbprint[..EcKey.KidLength]}"));
        });
        AssertOwnerOnly(Path.Combine(folder, "anchor.private.jwk"));
    }

    [Test]
    public async Task KeysGenerate_RefusesToOverwrite_AnExistingKeyFolder()
    {
        using var temp = new TempFolder();
        string folder = temp.CopySample("410000");
        string before = File.ReadAllText(Path.Combine(folder, "root.private.jwk"));

        CliResult run = await Cli.RunAsync("keys", "generate", "--province", "410000", "--out", folder);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Failed), run.ToString());
            Assert.That(run.Stderr, Does.Contain("never overwritten"));
            Assert.That(File.ReadAllText(Path.Combine(folder, "root.private.jwk")), Is.EqualTo(before));
            Assert.That(Directory.EnumerateFiles(folder).Count(), Is.EqualTo(4));
        });
    }

    [Test]
    public async Task KeysThumbprint_PrintsKidAndRfc7638Thumbprint_AndFlagsSampleKeys()
    {
        string root = Path.Combine(RepoPaths.Sample("410000"), "root.public.jwk");
        string issuer = Path.Combine(RepoPaths.Sample("410000"), "issuer-1.private.jwk");
        string rootThumbprint = Rfc7638Thumbprint(root);
        string issuerThumbprint = Rfc7638Thumbprint(issuer);

        CliResult run = await Cli.RunAsync("keys", "thumbprint", root, issuer);

        Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok), run.ToString());
        Assert.That(run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            $"{rootThumbprint[..EcKey.KidLength]}  {rootThumbprint}  {root}  (SAMPLE key)",
            $"{issuerThumbprint[..EcKey.KidLength]}  {issuerThumbprint}  {issuer}  (SAMPLE key)",
        }));
    }

    [Test]
    public async Task KeysThumbprint_DoesNotFlagAFreshKey_AndFailsOnAMissingFile()
    {
        using var temp = new TempFolder();
        Assert.That((await Cli.RunAsync("keys", "generate", "--hub", "--out", temp.Path)).ExitCode, Is.EqualTo(CommandLine.Ok));
        string anchor = temp["anchor.public.jwk"];
        string missing = temp["missing.public.jwk"];

        CliResult run = await Cli.RunAsync("keys", "thumbprint", anchor, missing);

        Assert.Multiple(() =>
        {
            // The good file is still printed; the run fails for the missing one.
            Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Failed), run.ToString());
            Assert.That(run.Stdout, Is.EqualTo($"{Kid(temp.Path, "anchor")}  {Rfc7638Thumbprint(anchor)}  {anchor}{Environment.NewLine}"));
            Assert.That(run.Stderr, Does.StartWith("error: ").And.Contain("missing.public.jwk"));
        });
    }

    [Test]
    public async Task KeysRotate_MakesIssuer2Active_AndRetiresIssuer1_InKeysJson()
    {
        using var temp = new TempFolder();
        string folder = temp.CopySample("410000");
        string issuer1 = Kid(folder, "issuer-1");
        DateTimeOffset before = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        CliResult run = await Cli.RunAsync("keys", "rotate", "--keys", folder);

        Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok), run.ToString());
        string issuer2 = Kid(folder, "issuer-2");
        JsonArray issuers = Issuers(folder);
        Assert.Multiple(() =>
        {
            Assert.That(run.Stdout, Does.StartWith($"rotated: issuer-2 kid {issuer2} is active -> {folder}"));
            Assert.That(issuers.Select(i => (string?)i!["name"]), Is.EqualTo(new[] { "issuer-1", "issuer-2" }));
            Assert.That(issuers.Select(i => (string?)i!["kid"]), Is.EqualTo(new[] { issuer1, issuer2 }));
            Assert.That(issuers.Select(i => (string?)i!["status"]), Is.EqualTo(new[] { "retired", "active" }));
            Assert.That(DateTimeOffset.Parse((string)issuers[0]!["retiredAt"]!, System.Globalization.CultureInfo.InvariantCulture),
                Is.InRange(before, DateTimeOffset.UtcNow));
            Assert.That(issuers[1]!["retiredAt"], Is.Null);
        });

        // What the service and trust-list sign read back: issuer-2 signs codes now.
        using ProvinceKeyring keyring = ProvinceKeyring.Load(folder);
        Assert.Multiple(() =>
        {
            Assert.That(keyring.ActiveIssuer.Kid, Is.EqualTo(issuer2));
            Assert.That(keyring.CanIssueCodes, Is.True);
            Assert.That(keyring.Issuers.Select(s => s.Status), Is.EqualTo(new[] { KeyStatus.Retired, KeyStatus.Active }));
        });
        AssertOwnerOnly(Path.Combine(folder, "issuer-2.private.jwk"));
    }

    [Test]
    public async Task KeysRevoke_MarksARetiredKeyRevoked_WithReason_AndIsIdempotent()
    {
        using var temp = new TempFolder();
        string folder = temp.CopySample("410000");
        string issuer1 = Kid(folder, "issuer-1");
        Assert.That((await Cli.RunAsync("keys", "rotate", "--keys", folder)).ExitCode, Is.EqualTo(CommandLine.Ok));

        CliResult run = await Cli.RunAsync("keys", "revoke", issuer1, "--reason", "issuer-1 private key leaked from backup", "--keys", folder);

        Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok), run.ToString());
        JsonNode entry = Issuers(folder)[0]!;
        Assert.Multiple(() =>
        {
            Assert.That(run.Stdout, Does.StartWith($"revoked: {issuer1}"));
            Assert.That((string?)entry["status"], Is.EqualTo("revoked"));
            Assert.That((string?)entry["revocationReason"], Is.EqualTo("issuer-1 private key leaked from backup"));
            Assert.That(entry["revokedAt"], Is.Not.Null);
            Assert.That((string?)Issuers(folder)[1]!["status"], Is.EqualTo("active"));
        });

        string state = File.ReadAllText(Path.Combine(folder, ProvinceKeyring.StateFileName));
        CliResult again = await Cli.RunAsync("keys", "revoke", issuer1, "--reason", "another reason", "--keys", folder);

        Assert.Multiple(() =>
        {
            Assert.That(again.ExitCode, Is.EqualTo(CommandLine.Ok), again.ToString());
            Assert.That(again.Stdout, Does.StartWith($"{issuer1} was revoked already; unchanged."));
            Assert.That(File.ReadAllText(Path.Combine(folder, ProvinceKeyring.StateFileName)), Is.EqualTo(state));
        });
    }

    [Test]
    public async Task KeysRevoke_RefusesTheActiveKey_AfterARotation()
    {
        using var temp = new TempFolder();
        string folder = temp.CopySample("410000");
        Assert.That((await Cli.RunAsync("keys", "rotate", "--keys", folder)).ExitCode, Is.EqualTo(CommandLine.Ok));
        string active = Kid(folder, "issuer-2");
        string state = File.ReadAllText(Path.Combine(folder, ProvinceKeyring.StateFileName));

        CliResult run = await Cli.RunAsync("keys", "revoke", active, "--reason", "suspected leak", "--keys", folder);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Failed), run.ToString());
            Assert.That(run.Stderr, Does.StartWith($"error: {active} is the active key. Run 'healthcode keys rotate --keys {folder}' first"));
            Assert.That(run.Stdout, Is.Empty);
            Assert.That(File.ReadAllText(Path.Combine(folder, ProvinceKeyring.StateFileName)), Is.EqualTo(state));
        });
    }

    [Test]
    public async Task KeysRevoke_RefusesTheActiveKey_OfAFolderWithoutKeysJson_AndWritesNothing()
    {
        using var temp = new TempFolder();
        string folder = temp.CopySample("410000");

        CliResult run = await Cli.RunAsync("keys", "revoke", Kid(folder, "issuer-1"), "--reason", "suspected leak", "--keys", folder);

        run.AssertRefused("is the active key", Path.Combine(folder, ProvinceKeyring.StateFileName));
    }

    [Test]
    public async Task KeysRevoke_Fails_WhenNoKeyHasTheKid()
    {
        using var temp = new TempFolder();
        string folder = temp.CopySample("410000");
        string zhejiangIssuer = Kid(RepoPaths.Sample("330000"), "issuer-1");

        CliResult run = await Cli.RunAsync("keys", "revoke", zhejiangIssuer, "--reason", "wrong folder", "--keys", folder);

        run.AssertRefused($"no issuer key in {folder} has kid {zhejiangIssuer}", Path.Combine(folder, ProvinceKeyring.StateFileName));
    }
}
