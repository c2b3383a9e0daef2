using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using HealthCode.Cli.Commands;
using HealthCode.Trust;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;
using QRCoder;

namespace HealthCode.Cli.Tests;

/// <summary>
/// <c>healthcode verify &lt;qr text | file.png&gt; --trust &lt;folder&gt;</c> with real codes signed by the sample keys: the
/// verdict JSON of <c>POST /api/v1/verify</c> (DESIGN §5), exit 0 valid and 1 invalid, from files alone.
/// </summary>
public sealed class VerifyCommandTests
{
    /// <summary>DESIGN §5 "Verdict", in the order the API writes it.</summary>
    private static readonly string[] VerdictFields =
        ["valid", "color", "issuer", "issuerName", "maskedName", "idTail", "issuedAt", "expiresAt", "source", "scanId", "error"];

    /// <summary>The verify command's clock skew (VerifyCommand.ClockSkew), for the expected verdicts.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private TempFolder _temp = null!;

    /// <summary>A trust folder holding Henan (410000) as a partner: its pinned public root and a list it signed.</summary>
    private string _trust = null!;

    [OneTimeSetUp]
    public void WriteTrustFolder()
    {
        _temp = new TempFolder();
        _trust = _temp["trust"];
        using ProvinceKeys henan = ProvinceKeys.Load(RepoPaths.Sample("410000"));
        WritePartner(_trust, "410000", "河南省", henan, henan.Root);
    }

    [OneTimeTearDown]
    public void RemoveTrustFolder() => _temp.Dispose();

    /// <summary>Files a partner as TrustFolder reads it: <c>&lt;iss&gt;/root.public.jwk</c> and <c>&lt;iss&gt;/trust-list.jws</c> signed by <paramref name="signer"/>.</summary>
    private static void WritePartner(string trust, string issuer, string name, ProvinceKeys keys, EcKey signer, KeyStatus status = KeyStatus.Active)
    {
        string folder = Path.Combine(trust, issuer);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, TrustFolder.RootFileName), keys.Root.ToPublicJwk());
        DateTimeOffset now = DateTimeOffset.UtcNow;
        var list = new TrustList(issuer, name, 1, now, now.AddDays(7), [.. keys.Issuers.Select(k => new TrustListKey(k, status, null, null))]);
        File.WriteAllText(Path.Combine(folder, TrustFolder.ListFileName), TrustListCodec.Sign(list, signer) + "\n");
    }

    private static string ValidHenanCode(CodeColor color = CodeColor.Green) =>
        Codes.SignQr("410000", Codes.Claims("410000", DateTimeOffset.UtcNow.AddMinutes(-1), TimeSpan.FromMinutes(10), color));

    private static string ExpiredHenanCode() =>
        Codes.SignQr("410000", Codes.Claims("410000", DateTimeOffset.UtcNow.AddHours(-2), TimeSpan.FromHours(1)));

    /// <summary>A red code repainted green: the payload changed, the issuer's signature kept.</summary>
    private static string TamperedHenanCode()
    {
        Assert.That(QrText.TryDecode(ValidHenanCode(CodeColor.Red), out string jws), Is.True);
        string[] parts = jws.Split('.');
        string payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1]));
        Assert.That(payload, Does.Contain("\"c\":\"r\""));
        string forged = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.Replace("\"c\":\"r\"", "\"c\":\"g\"", StringComparison.Ordinal)));
        return QrText.Encode(parts[0] + "." + forged + "." + parts[2]);
    }

    /// <summary>A genuine Guangdong code: Guangdong is in no list of the trust folder.</summary>
    private static string GuangdongCode() =>
        Codes.SignQr("440000", Codes.Claims("440000", DateTimeOffset.UtcNow.AddMinutes(-1), TimeSpan.FromMinutes(10)));

    private static string CodeFor(string kind) => kind switch
    {
        "valid" => ValidHenanCode(),
        "expired" => ExpiredHenanCode(),
        "tampered" => TamperedHenanCode(),
        "unknown issuer" => GuangdongCode(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>
    /// A clean code whose finder patterns ZXing's detector misses (about 3 in 100 version-12 codes
    /// do): the image is read as the pure code it is, not reported as "no QR code found".
    /// </summary>
    [Test]
    public void QrImage_ReadsACleanCodeThatZXingsDetectorMisses()
    {
        const string Text = "HC1:/331470340859805340927550188982377495124647355014122342878139236858241921538029417486093462699540150787219071485961185085488922108797862016691297673836507430838697269809816838328025936228043218799493886391977800280276094086660804892413964425113302752339970963116291777730266896225815155253399031882253501117308464720104541333012591407221303794593530177760126810570696659970074774047142364610448322399688110668645186233832204842175238535902169506536208856648327749331765023066260730696637188758442026587128588038868715369358626562424314356815914099973665723949191551345435954333363768875868140672335364353771";
        using var temp = new TempFolder();

        bool read = QrImage.TryRead(WritePng(temp.Path, Text), out string text, out string error);

        Assert.Multiple(() =>
        {
            Assert.That(read, Is.True, error);
            Assert.That(text, Is.EqualTo(Text));
        });
    }

    /// <summary>The QR rendered as the API renders <c>/api/v1/me/code/qr?format=png</c> (QrRenderer: QRCoder, level M, 8 px per module).</summary>
    private static string WritePng(string folder, string qrText)
    {
        using QRCodeData data = QRCodeGenerator.GenerateQrCode(qrText, QRCodeGenerator.ECCLevel.M);
        using var png = new PngByteQRCode(data);
        string path = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".png");
        File.WriteAllBytes(path, png.GetGraphic(8));
        return path;
    }

    private static JsonObject ParseVerdict(CliResult run)
    {
        // One line of JSON, then the newline.
        Assert.That(run.Stdout.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), run.ToString());
        return JsonNode.Parse(run.Stdout)!.AsObject();
    }

    private static void AssertInvalid(CliResult run, string code)
    {
        JsonObject verdict = ParseVerdict(run);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Failed), run.ToString());
            Assert.That((bool)verdict["valid"]!, Is.False);
            Assert.That((string?)verdict["error"]?["code"], Is.EqualTo(code), run.ToString());
            Assert.That((string?)verdict["error"]?["message"], Is.Not.Empty);
            // An invalid code tells nothing about the person: every field but the error is null.
            Assert.That(VerdictFields.Skip(1).SkipLast(1).Where(f => verdict[f] is not null), Is.Empty, run.Stdout);
        });
    }

    [Test]
    public async Task Verify_PrintsValidVerdict_ForAGenuineCodeAsText()
    {
        DateTimeOffset issuedAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds());
        string qr = Codes.SignQr("410000", Codes.Claims("410000", issuedAt, TimeSpan.FromMinutes(10), CodeColor.Yellow));

        CliResult run = await Cli.RunAsync("verify", qr, "--trust", _trust);

        JsonObject verdict = ParseVerdict(run);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok), run.ToString());
            Assert.That(run.Stderr, Is.Empty);
            Assert.That((bool)verdict["valid"]!, Is.True);
            Assert.That((string?)verdict["color"], Is.EqualTo("yellow"));
            Assert.That((string?)verdict["issuer"], Is.EqualTo("410000"));
            Assert.That((string?)verdict["issuerName"], Is.EqualTo("河南省"));
            Assert.That((string?)verdict["maskedName"], Is.EqualTo(Codes.MaskedName));
            Assert.That((string?)verdict["idTail"], Is.EqualTo(Codes.IdTail));
            Assert.That(verdict["issuedAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(issuedAt));
            Assert.That(verdict["expiresAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(issuedAt.AddMinutes(10)));
            // Without --province the folder alone cannot tell an own list from a partner's.
            Assert.That((string?)verdict["source"], Is.EqualTo(Verdict.PartnerSource));
            Assert.That(verdict["error"], Is.Null);
            Assert.That(verdict.ContainsKey("error"), Is.True, "error is written as null, not left out");
            // Offline nothing is audited: no audit entry, so scanId is null, written as the service writes its verdicts.
            Assert.That(verdict.ContainsKey("scanId") && verdict["scanId"] is null, Is.True, run.Stdout);
        });
    }

    [Test]
    public async Task Verify_WithProvince_ShowsItsOwnCodesAsLocal_CharacterForCharacterAsTheService()
    {
        string qr = ValidHenanCode();

        CliResult run = await Cli.RunAsync("verify", qr, "--trust", _trust, "--province", "410000");

        // The service of 410000 holds its keys as its own: the verdict it writes for the same scan.
        using ProvinceKeys henan = ProvinceKeys.Load(RepoPaths.Sample("410000"));
        var service = new TrustStore();
        service.SetOwn("410000", "河南省", henan.Issuers.Select(k => (k, KeyStatus.Active)));
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok), run.ToString());
            Assert.That(run.Stderr, Is.Empty);
            Assert.That((string?)ParseVerdict(run)["source"], Is.EqualTo(Verdict.LocalSource));
            Assert.That(run.Stdout, Is.EqualTo(ApiJson(qr, service) + Environment.NewLine));
        });
    }

    [Test]
    public async Task Verify_WithAnotherProvince_ShowsTheCodeAsAPartners_AndWarnsThatTheOwnListIsMissing()
    {
        // The folder holds only Henan's list; the checkpoint says it is in Zhejiang.
        CliResult run = await Cli.RunAsync("verify", ValidHenanCode(), "--trust", _trust, "--province", "330000");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok), run.ToString());
            Assert.That((string?)ParseVerdict(run)["source"], Is.EqualTo(Verdict.PartnerSource));
            Assert.That(run.Stderr, Does.StartWith("warning: no trusted list of the own province 330000 in "));
        });
    }

    [Test]
    public async Task Verify_WithProvince_StillRefusesATamperedOwnCode()
    {
        CliResult run = await Cli.RunAsync("verify", TamperedHenanCode(), "--trust", _trust, "--province", "410000");

        AssertInvalid(run, "bad_signature");
    }

    [Test]
    public async Task Verify_ReadsThePng_AndPrintsTheSameVerdictAsForTheText()
    {
        string qr = ValidHenanCode();
        string png = WritePng(_temp.Path, qr);

        CliResult fromImage = await Cli.RunAsync("verify", png, "--trust", _trust);
        CliResult fromText = await Cli.RunAsync("verify", qr, "--trust", _trust);

        Assert.Multiple(() =>
        {
            Assert.That(fromImage.ExitCode, Is.EqualTo(CommandLine.Ok), fromImage.ToString());
            Assert.That(fromImage.Stderr, Is.Empty);
            Assert.That(fromImage.Stdout, Is.EqualTo(fromText.Stdout));
        });
    }

    [Test]
    public async Task Verify_ReadsThePng_OfAnExpiredCode_AsExpired()
    {
        string png = WritePng(_temp.Path, ExpiredHenanCode());

        AssertInvalid(await Cli.RunAsync("verify", png, "--trust", _trust), "expired");
    }

    [Test]
    public async Task Verify_RejectsExpiredCode()
    {
        AssertInvalid(await Cli.RunAsync("verify", ExpiredHenanCode(), "--trust", _trust), "expired");
    }

    [Test]
    public async Task Verify_RejectsTamperedCode_AsBadSignature()
    {
        AssertInvalid(await Cli.RunAsync("verify", TamperedHenanCode(), "--trust", _trust), "bad_signature");
    }

    [Test]
    public async Task Verify_RejectsCodeOfAProvinceNotInTheTrustFolder_AsUnknownIssuer()
    {
        AssertInvalid(await Cli.RunAsync("verify", GuangdongCode(), "--trust", _trust), "unknown_issuer");
    }

    [Test]
    public async Task Verify_ReportsAnUnreadableImage_AsMalformed()
    {
        string notAnImage = _temp["scan-" + Guid.NewGuid().ToString("N") + ".png"];
        File.WriteAllText(notAnImage, "not a PNG");

        CliResult run = await Cli.RunAsync("verify", notAnImage, "--trust", _trust);

        AssertInvalid(run, "malformed");
        Assert.That(run.Stderr, Does.StartWith("warning: ").And.Contain("is not an image"));
    }

    [TestCase(null, "partner")]
    [TestCase("330000", "own province")]
    public async Task Verify_WarnsAboutAListSignedByTheWrongRoot_AndDoesNotTrustIt(string? province, string whose)
    {
        using var temp = new TempFolder();
        using ProvinceKeys zhejiang = ProvinceKeys.Load(RepoPaths.Sample("330000"));
        using ProvinceKeys guangdong = ProvinceKeys.Load(RepoPaths.Sample("440000"));
        // Zhejiang's folder pins Zhejiang's root, but the list in it was signed by Guangdong's root.
        WritePartner(temp.Path, "330000", "浙江省", zhejiang, guangdong.Root);
        string qr = Codes.SignQr("330000", Codes.Claims("330000", DateTimeOffset.UtcNow.AddMinutes(-1), TimeSpan.FromMinutes(10)));

        CliResult run = await Cli.RunAsync(["verify", qr, "--trust", temp.Path, .. province is null ? [] : new[] { "--province", province }]);

        AssertInvalid(run, "unknown_issuer");
        Assert.That(run.Stderr, Does.StartWith($"warning: {whose} 330000 not trusted: ").And.Contain("bad_signature"));
        if (province is not null)
        {
            Assert.That(run.Stderr, Does.Contain("warning: no trusted list of the own province 330000 in "));
        }
    }

    [Test]
    public async Task Verify_RejectsCodeOfARevokedKey_InAListFromTrustListSign()
    {
        // The whole offline path through the CLI: rotate, revoke the old key, sign the list, file it, verify.
        using var temp = new TempFolder();
        string keys = temp.CopySample("410000");
        string oldKid;
        using (EcKey issuer1 = EcKey.Load(Path.Combine(keys, "issuer-1.public.jwk")))
        {
            oldKid = issuer1.Kid;
        }

        string trust = temp["trust"];
        Directory.CreateDirectory(Path.Combine(trust, "410000"));
        File.Copy(Path.Combine(keys, "root.public.jwk"), Path.Combine(trust, "410000", TrustFolder.RootFileName));
        CliResult rotate = await Cli.RunAsync("keys", "rotate", "--keys", keys);
        CliResult revoke = await Cli.RunAsync("keys", "revoke", oldKid, "--reason", "leaked", "--keys", keys);
        CliResult sign = await Cli.RunAsync("trust-list", "sign", "--keys", keys, "--province", "410000", "--name", "河南省", "--seq", "3",
            "--out", Path.Combine(trust, "410000", TrustFolder.ListFileName));
        Assert.That((rotate.ExitCode, revoke.ExitCode, sign.ExitCode), Is.EqualTo((CommandLine.Ok, CommandLine.Ok, CommandLine.Ok)), $"{rotate}\n{revoke}\n{sign}");
        string newCode;
        using (EcKey issuer2 = EcKey.Load(Path.Combine(keys, "issuer-2.private.jwk")))
        {
            newCode = new HealthCodeSigner(issuer2).SignQr(Codes.Claims("410000", DateTimeOffset.UtcNow.AddMinutes(-1), TimeSpan.FromMinutes(10)));
        }

        CliResult fromRevokedKey = await Cli.RunAsync("verify", ValidHenanCode(), "--trust", trust);
        CliResult fromNewKey = await Cli.RunAsync("verify", newCode, "--trust", trust);

        AssertInvalid(fromRevokedKey, "key_revoked");
        Assert.Multiple(() =>
        {
            Assert.That(fromNewKey.ExitCode, Is.EqualTo(CommandLine.Ok), fromNewKey.ToString());
            Assert.That((bool)ParseVerdict(fromNewKey)["valid"]!, Is.True);
        });
    }

    [TestCase("valid")]
    [TestCase("expired")]
    [TestCase("tampered")]
    [TestCase("unknown issuer")]
    public async Task Verify_Json_HasTheApiVerdictFieldsInOrder(string kind)
    {
        CliResult run = await Cli.RunAsync("verify", CodeFor(kind), "--trust", _trust);

        JsonObject verdict = ParseVerdict(run);
        Assert.That(verdict.Select(p => p.Key), Is.EqualTo(VerdictFields), run.Stdout);
        if (kind != "valid")
        {
            Assert.That(verdict["error"]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "code", "message" }));
        }
    }

    /// <summary>
    /// The verdict the API would build for the same scan, serialized as <c>POST /api/v1/verify</c> writes it:
    /// <c>TypedResults.Ok&lt;Verdict&gt;</c> through the minimal-API JSON options (<see cref="Microsoft.AspNetCore.Http.Json.JsonOptions"/>:
    /// web defaults, relaxed escaping) plus the enum converter ServiceSetup adds.
    /// </summary>
    /// <param name="qr">The scanned text.</param>
    /// <param name="store">The service's trust store; by default one holding the trust folder's lists as partners.</param>
    private string ApiJson(string qr, TrustStore? store = null)
    {
        JsonSerializerOptions api = new Microsoft.AspNetCore.Http.Json.JsonOptions().SerializerOptions;
        api.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        if (store is null)
        {
            store = new TrustStore();
            TrustFolder.Load(_trust, store, TimeProvider.System, ClockSkew);
        }

        VerificationResult result = new HealthCodeVerifier(store, TimeProvider.System, ClockSkew).Verify(qr);
        return JsonSerializer.Serialize(Verdict.From(result, store), api);
    }

    // The same JSON document first (a readable failure when a member differs), then the same characters.
    // Valid: the masked name is CJK and the times carry "+00:00", both written unescaped as the API writes them.
    // Tampered: the bad_signature message has an apostrophe, written as ' by both.
    [TestCase("valid")]
    [TestCase("expired")]
    [TestCase("tampered")]
    [TestCase("unknown issuer")]
    public async Task Verify_PrintsTheApiVerdictJson_CharacterForCharacter(string kind)
    {
        string qr = CodeFor(kind);

        CliResult run = await Cli.RunAsync("verify", qr, "--trust", _trust);

        string api = ApiJson(qr);
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(run.Stdout), JsonNode.Parse(api)), Is.True, $"CLI: {run.Stdout}API: {api}");
        Assert.That(run.Stdout, Is.EqualTo(api + Environment.NewLine));
    }

    [Test]
    public async Task Verify_OpensNoConnection_AndResolvesNoName()
    {
        string qr = ValidHenanCode();
        string png = WritePng(_temp.Path, qr);
        using var network = new NetworkEvents();

        // The listener sees network use: a loopback connection made here shows up.
        using (var server = new TcpListener(IPAddress.Loopback, 0))
        {
            server.Start();
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)server.LocalEndpoint).Port);
        }

        Assert.That(network.Take(), Does.Contain("System.Net.Sockets/ConnectStart"), "the listener must see a connection");

        CliResult fromText = await Cli.RunAsync("verify", qr, "--trust", _trust);
        CliResult fromImage = await Cli.RunAsync("verify", png, "--trust", _trust);
        CliResult unknown = await Cli.RunAsync("verify", GuangdongCode(), "--trust", _trust);

        Assert.Multiple(() =>
        {
            Assert.That(network.Take(), Is.Empty, "verify works from the files alone");
            Assert.That((fromText.ExitCode, fromImage.ExitCode, unknown.ExitCode), Is.EqualTo((CommandLine.Ok, CommandLine.Ok, CommandLine.Failed)));
        });
    }

    /// <summary>Connections, DNS look-ups and HTTP requests started in this process, from the runtime's networking event sources.</summary>
    private sealed class NetworkEvents : EventListener
    {
        private readonly ConcurrentQueue<string> _started = new();

        /// <summary>The events seen since the last call.</summary>
        public List<string> Take()
        {
            var events = new List<string>();
            while (_started.TryDequeue(out string? e))
            {
                events.Add(e);
            }

            return events;
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name is "System.Net.Sockets" or "System.Net.NameResolution" or "System.Net.Http")
            {
                EnableEvents(eventSource, EventLevel.Informational);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName is { } name && (name.EndsWith("Start", StringComparison.Ordinal) || name.EndsWith("Failed", StringComparison.Ordinal)))
            {
                _started.Enqueue($"{eventData.EventSource.Name}/{name}");
            }
        }
    }
}
