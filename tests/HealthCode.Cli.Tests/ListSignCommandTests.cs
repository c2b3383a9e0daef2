using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Trust.Federation;
using HealthCode.Trust.Keys;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;

namespace HealthCode.Cli.Tests;

/// <summary>
/// <c>healthcode trust-list sign</c> and <c>healthcode federation sign</c>: what they write is accepted by the kernel's
/// codecs with the pinned public root (or anchor), as a partner or a province would verify it.
/// </summary>
public sealed class ListSignCommandTests
{
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(1);

    private EcKey _henanRoot = null!;
    private EcKey _zhejiangRoot = null!;
    private EcKey _anchor = null!;

    [OneTimeSetUp]
    public void LoadPublicKeys()
    {
        _henanRoot = EcKey.Load(Path.Combine(RepoPaths.Sample("410000"), "root.public.jwk"));
        _zhejiangRoot = EcKey.Load(Path.Combine(RepoPaths.Sample("330000"), "root.public.jwk"));
        _anchor = EcKey.Load(Path.Combine(RepoPaths.Sample("hub"), "anchor.public.jwk"));
    }

    [OneTimeTearDown]
    public void DisposeKeys()
    {
        _henanRoot.Dispose();
        _zhejiangRoot.Dispose();
        _anchor.Dispose();
    }

    private static string Kid(string keysFolder, string name)
    {
        using EcKey key = EcKey.Load(Path.Combine(keysFolder, name + KeyFolder.PublicSuffix));
        return key.Kid;
    }

    private TrustListResult VerifyHenanList(string path, EcKey? root = null) =>
        TrustListCodec.Verify(File.ReadAllText(path), root ?? _henanRoot, "410000", heldSeq: null, DateTimeOffset.UtcNow, Skew);

    [Test]
    public async Task TrustListSign_WritesAListTheCodecAccepts_WithThePinnedRoot()
    {
        using var temp = new TempFolder();
        string keys = temp.CopySample("410000");
        string output = temp["out/410000/trust-list.jws"];
        DateTimeOffset before = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        CliResult run = await Cli.RunAsync(
            "trust-list", "sign", "--keys", keys, "--province", "410000", "--name", "河南省", "--seq", "12", "--days", "3", "--out", output);

        Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok), run.ToString());
        TrustListResult result = VerifyHenanList(output);
        Assert.That(result.IsValid, Is.True, result.ToString());
        TrustList list = result.List!;
        string issuerKid = Kid(keys, "issuer-1");
        Assert.Multiple(() =>
        {
            Assert.That((list.Issuer, list.Name, list.Seq), Is.EqualTo(("410000", "河南省", 12L)));
            Assert.That(list.IssuedAt, Is.InRange(before, DateTimeOffset.UtcNow));
            Assert.That(list.ExpiresAt - list.IssuedAt, Is.EqualTo(TimeSpan.FromDays(3)));
            Assert.That(list.Keys.Select(k => (k.Key.Kid, k.Status)), Is.EqualTo(new[] { (issuerKid, KeyStatus.Active) }));
            Assert.That(list.Keys.All(k => !k.Key.HasPrivateKey), Is.True);
            Assert.That(run.Stdout, Does.StartWith($"trust list 410000 (河南省) seq 12, signed by root {_henanRoot.Kid}"));
            Assert.That(run.Stdout, Does.Contain($"  issuer-1  {issuerKid}  active"));
        });

        // Signed by the root, not any key: another province's pinned root rejects it, as does the wrong issuer.
        Assert.Multiple(() =>
        {
            Assert.That(VerifyHenanList(output, _zhejiangRoot).Error, Is.EqualTo(TrustListError.BadSignature));
            Assert.That(TrustListCodec.Verify(File.ReadAllText(output), _henanRoot, "330000", null, DateTimeOffset.UtcNow, Skew).Error,
                Is.EqualTo(TrustListError.IssuerMismatch));
        });
        string header = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(File.ReadAllText(output).Trim().Split('.')[0]));
        Assert.That(header, Is.EqualTo($$"""{"alg":"ES256","typ":"hc-trust-list+jwt","kid":"{{_henanRoot.Kid}}"}"""));
    }

    [Test]
    public async Task TrustListSign_PublishesKeysJsonStatuses_AfterRotateAndRevoke()
    {
        using var temp = new TempFolder();
        string keys = temp.CopySample("410000");
        string issuer1 = Kid(keys, "issuer-1");
        Assert.That((await Cli.RunAsync("keys", "rotate", "--keys", keys)).ExitCode, Is.EqualTo(CommandLine.Ok));
        Assert.That((await Cli.RunAsync("keys", "revoke", issuer1, "--reason", "leaked", "--keys", keys)).ExitCode, Is.EqualTo(CommandLine.Ok));
        string output = temp["trust-list.jws"];

        CliResult run = await Cli.RunAsync("trust-list", "sign", "--keys", keys, "--province", "410000", "--name", "河南省", "--seq", "13", "--out", output);

        Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok), run.ToString());
        TrustListResult result = VerifyHenanList(output);
        Assert.That(result.IsValid, Is.True, result.ToString());
        Assert.That(result.List!.Keys.Select(k => (k.Key.Kid, k.Status)),
            Is.EqualTo(new[] { (issuer1, KeyStatus.Revoked), (Kid(keys, "issuer-2"), KeyStatus.Active) }));
    }

    [Test]
    public async Task TrustListSign_RevokeOption_MarksTheKeyRevokedInThisListOnly()
    {
        using var temp = new TempFolder();
        string keys = temp.CopySample("410000");
        string issuer1 = Kid(keys, "issuer-1");
        string output = temp["trust-list.jws"];

        CliResult run = await Cli.RunAsync(
            "trust-list", "sign", "--keys", keys, "--province", "410000", "--name", "河南省", "--seq", "2", "--revoke", issuer1, "--out", output);

        Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok), run.ToString());
        TrustListResult result = VerifyHenanList(output);
        Assert.Multiple(() =>
        {
            Assert.That(result.List?.Keys.Select(k => (k.Key.Kid, k.Status)), Is.EqualTo(new[] { (issuer1, KeyStatus.Revoked) }), result.ToString());
            Assert.That(File.Exists(Path.Combine(keys, ProvinceKeyring.StateFileName)), Is.False, "--revoke does not record the revocation");
        });
    }

    [Test]
    public async Task TrustListSign_RevokeOfUnknownKid_IsAUsageError_AndWritesNothing()
    {
        using var temp = new TempFolder();
        string keys = temp.CopySample("410000");
        string output = temp["trust-list.jws"];

        CliResult run = await Cli.RunAsync(
            "trust-list", "sign", "--keys", keys, "--province", "410000", "--name", "河南省", "--seq", "2", "--revoke", "AbCd1234", "--out", output);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(CommandLine.UsageError), run.ToString());
            Assert.That(run.Stderr, Does.StartWith("healthcode: --revoke AbCd1234: no issuer key"));
            Assert.That(File.Exists(output), Is.False);
        });
    }

    [Test]
    public async Task TrustListSign_Fails_WithoutTheRootPrivateKey()
    {
        using var temp = new TempFolder();
        // An issuing machine: the root is kept offline, only its public half is here.
        string keys = temp.CopySample("410000", "root.public.jwk", "issuer-1.private.jwk", "issuer-1.public.jwk");
        string output = temp["trust-list.jws"];

        CliResult run = await Cli.RunAsync("trust-list", "sign", "--keys", keys, "--province", "410000", "--name", "河南省", "--seq", "2", "--out", output);

        run.AssertRefused("root.private.jwk is needed to sign the trust list", output);
    }

    [Test]
    public async Task FederationSign_WritesAListTheCodecAccepts_WithTheAnchor()
    {
        using var temp = new TempFolder();
        string anchor = temp.CopySample("hub");
        // rootKey as a path relative to members.json, and as an inline public JWK.
        Directory.CreateDirectory(temp["members/roots"]);
        File.Copy(Path.Combine(RepoPaths.Sample("410000"), "root.public.jwk"), temp["members/roots/410000.public.jwk"]);
        File.WriteAllText(temp["members/members.json"], $$"""
            {"members": [
              {"iss": "410000", "name": "河南省", "rootKey": "roots/410000.public.jwk",
               "trustListUrl": "https://hc.henan.example/.well-known/healthcode/trust-list", "status": "active"},
              {"iss": "330000", "name": "浙江省", "rootKey": {{_zhejiangRoot.ToPublicJwk()}},
               "trustListUrl": "http://127.0.0.1:5102/.well-known/healthcode/trust-list", "status": "suspended"}
            ]}
            """);
        string output = temp["federation.jws"];

        CliResult run = await Cli.RunAsync(
            "federation", "sign", "--anchor", anchor, "--members", temp["members/members.json"], "--seq", "4", "--days", "2", "--out", output);

        Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok), run.ToString());
        FederationListResult result = FederationListCodec.Verify(File.ReadAllText(output), _anchor, heldSeq: null, DateTimeOffset.UtcNow, Skew);
        Assert.That(result.IsValid, Is.True, result.ToString());
        FederationList list = result.List!;
        Assert.Multiple(() =>
        {
            Assert.That(list.Seq, Is.EqualTo(4));
            Assert.That(list.ExpiresAt - list.IssuedAt, Is.EqualTo(TimeSpan.FromDays(2)));
            Assert.That(list.Members.Select(m => (m.Issuer, m.Name, m.RootKey.Thumbprint, m.TrustListUrl, m.Status)), Is.EqualTo(new[]
            {
                ("410000", "河南省", _henanRoot.Thumbprint, "https://hc.henan.example/.well-known/healthcode/trust-list", MemberStatus.Active),
                ("330000", "浙江省", _zhejiangRoot.Thumbprint, "http://127.0.0.1:5102/.well-known/healthcode/trust-list", MemberStatus.Suspended),
            }));
            Assert.That(run.Stdout, Does.StartWith($"federation list seq 4, signed by anchor {_anchor.Kid}"));
        });

        // Signed by the anchor: a province root pinned as the anchor rejects it.
        Assert.That(FederationListCodec.Verify(File.ReadAllText(output), _henanRoot, null, DateTimeOffset.UtcNow, Skew).Error,
            Is.EqualTo(FederationListError.BadSignature));
        string header = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(File.ReadAllText(output).Trim().Split('.')[0]));
        Assert.That((string?)JsonNode.Parse(header)!["typ"], Is.EqualTo("hc-federation+jwt"));
    }

    [Test]
    public async Task FederationSign_Refuses_AMemberWithAPrivateRootKey()
    {
        using var temp = new TempFolder();
        string anchor = temp.CopySample("hub");
        // A leaked private root must never be published: the hub lists public keys only.
        File.WriteAllText(temp["members.json"], $$"""
            {"members": [{"iss": "410000", "name": "河南省", "rootKey": "{{Path.Combine(RepoPaths.Sample("410000"), "root.private.jwk")}}",
              "trustListUrl": "https://hc.henan.example/tl"}]}
            """);
        string output = temp["federation.jws"];

        CliResult run = await Cli.RunAsync("federation", "sign", "--anchor", anchor, "--members", temp["members.json"], "--seq", "1", "--out", output);

        run.AssertRefused("Member 410000: the root key holds its private part", output);
    }

    [Test]
    public async Task FederationSign_Fails_OnMembersFileWithoutMembers()
    {
        using var temp = new TempFolder();
        string anchor = temp.CopySample("hub");
        File.WriteAllText(temp["members.json"], """{"provinces": []}""");

        CliResult run = await Cli.RunAsync("federation", "sign", "--anchor", anchor, "--members", temp["members.json"], "--seq", "1", "--out", temp["f.jws"]);

        run.AssertRefused("expected {\"members\": [...]}", temp["f.jws"]);
    }

    [Test]
    public async Task FederationSign_Fails_WithoutTheAnchorPrivateKey()
    {
        using var temp = new TempFolder();
        string anchor = temp.CopySample("hub", "anchor.public.jwk");
        File.WriteAllText(temp["members.json"], """{"members": []}""");

        CliResult run = await Cli.RunAsync("federation", "sign", "--anchor", anchor, "--members", temp["members.json"], "--seq", "1", "--out", temp["f.jws"]);

        run.AssertRefused("anchor.private.jwk is needed to sign the federation list", temp["f.jws"]);
    }
}
