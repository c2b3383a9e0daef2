using System.Net;
using HealthCode.Api.Tests.Support;
using HealthCode.Trust;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;
using HealthCode.Trust.Verification;

namespace HealthCode.Api.Tests.Http;

/// <summary>A resident's whole path over HTTP: log in, declare, read the code, fetch the QR.</summary>
[TestFixture]
internal sealed class ResidentPathTests
{
    private HealthCodeFactory factory = null!;

    [OneTimeSetUp]
    public void StartService() => factory = new HealthCodeFactory();

    [OneTimeTearDown]
    public void StopService() => factory.Dispose();

    [Test]
    public async Task Declare_ThenReadCode_ReturnsGreenForCleanDeclaration()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();

        var declared = await resident.DeclareAsync(Declarations.Clean(resident.Phone));

        Assert.That(declared.StatusCode, Is.EqualTo(HttpStatusCode.Created), await declared.Content.ReadAsStringAsync());
        var body = await ResidentClient.JsonAsync(declared);
        Assert.That(body["color"]!.GetValue<string>(), Is.EqualTo("green"));
        Assert.That(body["statusVersion"]!.GetValue<int>(), Is.EqualTo(1));

        var code = await ResidentClient.JsonAsync(await resident.GetAsync("/api/v1/me/code"));
        Assert.Multiple(() =>
        {
            Assert.That(code["codeId"]!.GetValue<string>(), Is.EqualTo(body["codeId"]!.GetValue<string>()));
            Assert.That(code["color"]!.GetValue<string>(), Is.EqualTo("green"));
            Assert.That(code["greenAfter"], Is.Null);
        });
    }

    [Test]
    public async Task Declare_WithFever_ReturnsYellowWithReasonsInBothLanguagesAndGreenAfter()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();

        var declared = await resident.DeclareAsync(Declarations.Clean(resident.Phone)
            .With("temperature", 38.2).With("symptoms", new[] { "fever" }));

        var body = await ResidentClient.JsonAsync(declared);
        Assert.That(body["color"]!.GetValue<string>(), Is.EqualTo("yellow"));
        var reason = body["reasons"]!.AsArray()[0]!;
        Assert.Multiple(() =>
        {
            Assert.That(reason["code"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(reason["zhCn"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(reason["en"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(body["greenAfter"]!.GetValue<string>(), Is.Not.Empty);
        });
    }

    [Test]
    public async Task QrText_VerifiesWithTheIssuerKey_AndCarriesNoPersonalData()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        var declared = await ResidentClient.JsonAsync(await resident.DeclareAsync(Declarations.Clean(resident.Phone)));

        var response = await resident.GetAsync("/api/v1/me/code/qr?format=text");
        var text = await response.Content.ReadAsStringAsync();

        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        var claims = Verify(text);
        Assert.Multiple(() =>
        {
            Assert.That(claims.Issuer, Is.EqualTo("410000"));
            Assert.That(claims.CodeId, Is.EqualTo(declared["codeId"]!.GetValue<string>()));
            Assert.That(claims.Color, Is.EqualTo(CodeColor.Green));
            Assert.That(claims.MaskedName, Is.EqualTo("张*艺"));
            Assert.That(claims.IdTail, Is.EqualTo(Declarations.IdFor(resident.Phone)[^4..]));
            Assert.That(claims.ExpiresAt - claims.IssuedAt, Is.EqualTo(TimeSpan.FromMinutes(5)));
            Assert.That(DateTimeOffset.Parse(response.Headers.GetValues("X-HealthCode-Expires-At").Single(), System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(claims.ExpiresAt));
        });
        QrText.TryDecode(text, out var jws);
        var payload = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(jws.Split('.')[1]));
        Assert.That(payload, Does.Not.Contain(Declarations.IdFor(resident.Phone)).And.Not.Contain(resident.Phone).And.Not.Contain("张三艺"));
    }

    [Test]
    public async Task QrText_SaysWhenTheCodeRecordLastChanged_TheUpdatedAtOfMyCode_AndMovesWhenItChanges()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        await resident.DeclareAsync(Declarations.Clean(resident.Phone));

        async Task<(DateTimeOffset Header, DateTimeOffset UpdatedAt)> ReadAsync()
        {
            using var qr = await resident.GetAsync("/api/v1/me/code/qr?format=text");
            var header = DateTimeOffset.Parse(qr.Headers.GetValues("X-HealthCode-Code-Updated-At").Single(), System.Globalization.CultureInfo.InvariantCulture);
            var code = await ResidentClient.JsonAsync(await resident.GetAsync("/api/v1/me/code"));
            return (header, code["updatedAt"]!.GetValue<DateTimeOffset>());
        }

        var before = await ReadAsync();
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        // A new declaration that keeps the colour: the token's status version stays, so the resident page learns of the
        // change (reasons, dates) from the header alone.
        await resident.DeclareAsync(Declarations.Clean(resident.Phone).With("region", "330100"));
        var after = await ReadAsync();

        Assert.Multiple(() =>
        {
            Assert.That(before.Header, Is.EqualTo(before.UpdatedAt));
            Assert.That(after.Header, Is.EqualTo(after.UpdatedAt));
            Assert.That(after.Header, Is.GreaterThan(before.Header));
        });
    }

    [Test]
    public async Task Regions_ArePublic_AndHoldTheTableTheDeclarationIsCheckedAgainst()
    {
        using var response = await factory.CreateClient().GetAsync(new Uri("/api/v1/regions", UriKind.Relative));
        var regions = (await ResidentClient.JsonAsync(response))["regions"]!.AsArray();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.CacheControl?.Public, Is.True);
            Assert.That(regions.Select(r => r!["code"]!.GetValue<string>()),
                Is.EquivalentTo(HealthCode.Api.Features.Declarations.RegionCodes.Current().Select(r => r.Code)));
            Assert.That(regions.Select(r => r!["code"]!.GetValue<string>()), Has.All.Matches<string>(HealthCode.Api.Features.Declarations.RegionCodes.Exists));
            Assert.That(regions.Single(r => r!["code"]!.GetValue<string>() == "410100")!["name"]!.GetValue<string>(), Is.EqualTo("郑州市"));
        });

        // A browser that holds the table revalidates it for nothing.
        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/v1/regions");
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var notModified = await factory.CreateClient().SendAsync(again);
        Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
    }

    [Test]
    public async Task QrPng_DecodedByARealDecoder_IsATokenThatVerifies_WithTheSameClaimsAsTheTextFormat()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        await resident.DeclareAsync(Declarations.Clean(resident.Phone));

        var png = await resident.GetAsync("/api/v1/me/code/qr?format=png");
        var text = await (await resident.GetAsync("/api/v1/me/code/qr?format=text")).Content.ReadAsStringAsync();

        Assert.That(png.Content.Headers.ContentType!.MediaType, Is.EqualTo("image/png"));
        var decoded = QrDecoder.Decode(await png.Content.ReadAsByteArrayAsync());
        Assert.That(decoded, Is.Not.Null, "the PNG did not decode");
        // ES256 signatures are randomised, so two fetches differ only in the signature.
        Assert.That(decoded!, Does.StartWith(QrText.Prefix));
        Assert.That(Verify(decoded), Is.EqualTo(Verify(text)));
    }

    [Test]
    public async Task QrPng_OfTheTextFormat_DecodesToExactlyThatString()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        await resident.DeclareAsync(Declarations.Clean(resident.Phone));
        var text = await (await resident.GetAsync("/api/v1/me/code/qr?format=text")).Content.ReadAsStringAsync();

        var decoded = QrDecoder.Decode(Infrastructure.Qr.QrRenderer.Png(text));

        Assert.That(decoded, Is.EqualTo(text));
        using var data = Infrastructure.Qr.QrRenderer.Encode(text);
        Assert.That(data.Version, Is.LessThanOrEqualTo(12), "DESIGN §4.1: a typical code fits version 12 at ECC M");
    }

    [Test]
    public async Task QrPng_ReadsTheSameWithASecondIndependentDecoder()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        await resident.DeclareAsync(Declarations.Clean(resident.Phone));
        var png = await (await resident.GetAsync("/api/v1/me/code/qr?format=png")).Content.ReadAsByteArrayAsync();

        // zbarimg (Debian zbar-tools, installed by test.sh) shares no code with ZXing.
        var file = Path.Combine(Path.GetTempPath(), $"healthcode-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(file, png);
        using var zbar = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("zbarimg", ["--raw", "-q", file])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var read = (await zbar.StandardOutput.ReadToEndAsync()).Trim();
        await zbar.WaitForExitAsync();
        File.Delete(file);

        Assert.That(read, Is.EqualTo(QrDecoder.Decode(png)));
        Assert.That(Verify(read).Issuer, Is.EqualTo("410000"));
    }

    [Test]
    public async Task QrSvg_IsAnSvgImage()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        await resident.DeclareAsync(Declarations.Clean(resident.Phone));

        var svg = await resident.GetAsync("/api/v1/me/code/qr?format=svg");

        Assert.That(svg.Content.Headers.ContentType!.MediaType, Is.EqualTo("image/svg+xml"));
        Assert.That(await svg.Content.ReadAsStringAsync(), Does.Contain("<svg"));
    }

    [Test]
    public async Task EachQrFetch_IsFreshlySigned_AndAColourChangeRaisesTheStatusVersion()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        await resident.DeclareAsync(Declarations.Clean(resident.Phone));
        var first = Verify(await (await resident.GetAsync("/api/v1/me/code/qr?format=text")).Content.ReadAsStringAsync());

        factory.Time.Advance(TimeSpan.FromMinutes(1));
        await resident.DeclareAsync(Declarations.Clean(resident.Phone).With("symptoms", new[] { "cough" }));
        var second = Verify(await (await resident.GetAsync("/api/v1/me/code/qr?format=text")).Content.ReadAsStringAsync());

        Assert.Multiple(() =>
        {
            Assert.That(second.IssuedAt, Is.GreaterThan(first.IssuedAt));
            Assert.That(second.StatusVersion, Is.GreaterThan(first.StatusVersion));
            Assert.That(second.Color, Is.EqualTo(CodeColor.Yellow));
            Assert.That(second.CodeId, Is.EqualTo(first.CodeId));
        });
    }

    [Test]
    public async Task Code_BeforeAnyDeclaration_IsNotFoundWithCode()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();

        var response = await resident.GetAsync("/api/v1/me/code");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await ResidentClient.JsonAsync(response))["code"]!.GetValue<string>(), Is.EqualTo("no_declaration"));
    }

    private HealthCodeClaims Verify(string qrText)
    {
        using var keys = ProvinceKeys.Load(RepoPaths.SampleKeys("410000"));
        var resolver = new InMemoryIssuerKeys();
        resolver.Add("410000", keys.ActiveIssuer, KeyStatus.Active);
        var result = new HealthCodeVerifier(resolver, factory.Time, TimeSpan.FromSeconds(30)).Verify(qrText);
        Assert.That(result.IsValid, Is.True, result.ToString());
        return result.Claims!;
    }
}
