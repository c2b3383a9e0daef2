using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HealthCode.Api.Tests.Support;
using static HealthCode.Api.Tests.Support.Problems;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// Bad input gets a 4xx problem with a stable code naming the field, never a 500, and leaves
/// nothing half-written: the resident's code is exactly what it was before. Each wrong field is named at
/// once; text that is not UTF-8, dates past the calendar and bodies past the cap (however they are sent) are
/// field errors or 4xx too, never with a stack trace (the service runs in Development here, where ASP.NET
/// Core's developer page is on).
/// </summary>
[TestFixture]
internal sealed class BadInputTests
{
    private HealthCodeFactory factory = null!;

    [OneTimeSetUp]
    public void StartService() => factory = new HealthCodeFactory(settings: new() { ["HealthCode:Limits:MaxRequestBodyBytes"] = "4096" });

    [OneTimeTearDown]
    public void StopService() => factory.Dispose();

    private static IEnumerable<TestCaseData> InvalidDeclarations()
    {
        var today = DateOnly.FromDateTime(HealthCodeFactory.Start.ToOffset(TimeSpan.FromHours(8)).DateTime);
        yield return Case("idNumber", "idNumber", "wrong ID checksum", "110105194912310021");
        yield return Case("idNumber", "idNumber", "ID too short", "1101051949");
        yield return Case("region", "region", "region that does not exist", "999999");
        yield return Case("temperature", "temperature", "80 °C", 80);
        yield return Case("temperature", "temperature", "20 °C", 20);
        yield return Case("symptoms", "symptoms[0]", "unknown symptom", new[] { "headache" });
        yield return Case("phone", "phone", "bad phone", "12345");
        yield return Case("name", "name", "empty name", "");
        yield return Case("travel", "travel[0].from", "travel in the future",
            new[] { new { region = "330100", from = Day(today, 2), to = Day(today, 3) } });
        yield return Case("travel", "travel[0].from", "travel older than 14 days",
            new[] { new { region = "330100", from = Day(today, -30), to = Day(today, -29) } });
        yield return Case("travel", "travel[0].region", "travel to a region that does not exist",
            new[] { new { region = "990100", from = Day(today, -3), to = Day(today, -2) } });
        yield return Case("lastTest", "lastTest.result", "unknown test result", new { result = "maybe", at = "2026-11-27T08:00:00Z" });
        yield return Case("lastTest", "lastTest.at", "test in the future", new { result = "negative", at = "2026-12-30T08:00:00Z" });
    }

    private static string Day(DateOnly today, int offset) => today.AddDays(offset).ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    private static TestCaseData Case(string field, string expectedField, string name, object? value) =>
        new TestCaseData(field, value, expectedField).SetName($"Declare_Rejects_{name.Replace(' ', '_')}");

    [TestCaseSource(nameof(InvalidDeclarations))]
    public async Task Declare_RejectsInvalidField_NamingIt_AndWritesNothing(string field, object? value, string expectedField)
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();

        var response = await resident.DeclareAsync(Declarations.Clean(resident.Phone).With(field, value));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        var fields = problem["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>());
        Assert.That(fields, Does.Contain(expectedField));
        Assert.That((await resident.GetAsync("/api/v1/me/code")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "nothing half-written");
    }

    [Test]
    public async Task Declare_NamesEveryInvalidField_AtOnce()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();

        var response = await resident.DeclareAsync(Declarations.Clean(resident.Phone)
            .With("idNumber", "110105194912310021").With("region", "999999").With("temperature", 80));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        var fields = problem["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>());
        Assert.That(fields, Is.SupersetOf(new[] { "idNumber", "region", "temperature" }));
    }

    [Test]
    public async Task Declare_RejectsMalformedJson()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();

        var response = await resident.DeclareAsync(new StringContent("{\"name\": \"张三\",", Encoding.UTF8, "application/json"));

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "malformed_json");
    }

    [Test]
    public async Task Declare_RejectsAWrongType_NamingTheField()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();

        var response = await resident.DeclareAsync(Declarations.Clean(resident.Phone).With("temperature", "hot"));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "malformed_json");
        Assert.That(problem["errors"]![0]!["field"]!.GetValue<string>(), Is.EqualTo("temperature"));
    }

    [Test]
    public async Task Declare_RejectsUnknownFields_NamingThem()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();

        var response = await resident.DeclareAsync(Declarations.Clean(resident.Phone).With("isAdmin", true));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "unknown_field");
        Assert.That(problem["errors"]![0]!["field"]!.GetValue<string>(), Is.EqualTo("isAdmin"));
    }

    [Test]
    public async Task Declare_RejectsAnOversizedBody_WithContentLength()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();

        var response = await resident.DeclareAsync(Declarations.Clean(resident.Phone).With("name", new string('张', 5000)));

        await Problems.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Test]
    public async Task Declare_RejectsAnOversizedBody_SentChunked()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        var json = Declarations.Serialize(Declarations.Clean(resident.Phone).With("name", new string('a', 10_000)));
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new("application/json");

        var response = await resident.DeclareAsync(content);

        await Problems.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Test]
    public async Task Declare_RejectsANonJsonBody()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();

        var response = await resident.DeclareAsync(new StringContent("name=x", Encoding.UTF8, "application/x-www-form-urlencoded"));

        await Problems.AssertAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Test]
    public async Task Declare_RejectsMissingFields_NamingEach()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();

        var response = await resident.DeclareAsync(new { });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        var fields = problem["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>());
        Assert.That(fields, Is.SupersetOf(new[] { "name", "idNumber", "phone", "region", "temperature", "contact" }));
    }

    [Test]
    public async Task BadDeclaration_AfterAGoodOne_LeavesTheCodeAsItWas()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        await resident.DeclareAsync(Declarations.Clean(resident.Phone));
        var before = await (await resident.GetAsync("/api/v1/me/code")).Content.ReadAsStringAsync();

        await resident.DeclareAsync(Declarations.Clean(resident.Phone).With("symptoms", new[] { "fever" }).With("region", "999999"));

        Assert.That(await (await resident.GetAsync("/api/v1/me/code")).Content.ReadAsStringAsync(), Is.EqualTo(before));
    }

    [TestCase(null, "session_missing")]
    [TestCase("forged-token-that-was-never-issued", "session_invalid")]
    public async Task Declare_WithoutAValidSession_IsUnauthorized(string? token, string code)
    {
        var resident = new ResidentClient(factory.CreateClient()) { Token = token };

        var response = await resident.DeclareAsync(Declarations.Clean(resident.Phone));

        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, code);
    }

    [Test]
    public async Task Session_Expires_AfterItsLifetime()
    {
        using var local = new HealthCodeFactory();
        var resident = await new ResidentClient(local.CreateClient()).LogInAsync();

        local.Time.Advance(TimeSpan.FromHours(12) + TimeSpan.FromSeconds(1));
        var response = await resident.GetAsync("/api/v1/me/code");

        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "session_expired");
    }

    [Test]
    public async Task Login_WithAWrongCode_IsRefused_AndTheCodeDiesAfterTooManyTries()
    {
        var client = factory.CreateClient();
        var resident = new ResidentClient(client);
        await client.PostAsync("/api/v1/auth/otp", Json(new { phone = resident.Phone }));

        for (var i = 0; i < 5; i++)
        {
            await Problems.AssertAsync(await client.PostAsync("/api/v1/auth/login", Json(new { phone = resident.Phone, code = "000000" })), HttpStatusCode.Unauthorized, "otp_invalid");
        }

        await Problems.AssertAsync(await client.PostAsync("/api/v1/auth/login", Json(new { phone = resident.Phone, code = "000000" })), HttpStatusCode.Unauthorized, "otp_attempts_exceeded");
    }

    [Test]
    public async Task Otp_RequestedTwiceAtOnce_IsRateLimited()
    {
        var client = factory.CreateClient();
        var phone = new ResidentClient(client).Phone;

        await client.PostAsync("/api/v1/auth/otp", Json(new { phone }));
        var again = await client.PostAsync("/api/v1/auth/otp", Json(new { phone }));

        await Problems.AssertAsync(again, HttpStatusCode.TooManyRequests, "otp_too_frequent");
    }

    [TestCase("12345")]
    [TestCase("")]
    [TestCase("1380013800a")]
    public async Task Otp_RejectsABadPhone(string phone)
    {
        var response = await factory.CreateClient().PostAsync("/api/v1/auth/otp", Json(new { phone }));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(problem["errors"]![0]!["field"]!.GetValue<string>(), Is.EqualTo("phone"));
    }

    [Test]
    public async Task Qr_WithAnUnknownFormat_IsRejected()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        await resident.DeclareAsync(Declarations.Clean(resident.Phone));

        await Problems.AssertAsync(await resident.GetAsync("/api/v1/me/code/qr?format=gif"), HttpStatusCode.BadRequest, "format_invalid");
    }

    [Test]
    public async Task UnknownRoute_IsAProblemWithCode()
    {
        await Problems.AssertAsync(await factory.CreateClient().GetAsync("/api/v1/nothing-here"), HttpStatusCode.NotFound, "not_found");
    }

    [Test]
    public async Task Declare_NamesEveryWrongTypedField_AndTheOtherFieldsErrors()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();

        var response = await resident.DeclareAsync(Declarations.Clean(resident.Phone)
            .With("temperature", "hot").With("travel", 5).With("name", 3).With("region", "999999"));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "malformed_json");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[]
        {
            "name wrong_type", "travel wrong_type", "temperature wrong_type", "region region_unknown",
        }), "one error per field: the three of the wrong type, then the validator's for the rest, and no 'required' for the three");
    }

    [Test]
    public async Task Declare_NamesWrongTypedFieldsInsideListsAndObjects()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();

        var response = await resident.DeclareAsync(Declarations.Clean(resident.Phone)
            .With("travel", new object[] { new { region = "330100", from = 5, to = "2026-11-27" } })
            .With("contact", new { confirmedCase = "yes", suspectedCase = false, closeContactNotice = false })
            .With("symptoms", new object[] { "fever", 7 }));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "malformed_json");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[]
        {
            "travel[0].from wrong_type", "symptoms[1] wrong_type", "contact.confirmedCase wrong_type",
        }));
    }

    [TestCase("lastTest", "at", "9999-12-31T23:59:59Z", "lastTest.at date_in_future")]
    [TestCase("lastTest", "at", "9999-12-31T23:59:59+14:00", "lastTest.at date_in_future")]
    [TestCase("travel", "from", "9999-12-31", "travel[0].from date_in_future")]
    [TestCase("lastTest", "at", "9999-12-31T23:59:59-14:00", "lastTest.at wrong_type")]
    [TestCase("lastTest", "at", "0001-01-01T00:00:00+14:00", "lastTest.at wrong_type")]
    [TestCase("lastTest", "at", "2026-11-28T08:00:00+15:00", "lastTest.at wrong_type")]
    [TestCase("travel", "to", "10000-01-01", "travel[0].to wrong_type")]
    public async Task Declare_ADateFarInTheFuture_IsAFieldError(string member, string part, string value, string expected)
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        var declaration = Declarations.Clean(resident.Phone);
        declaration[member] = member == "travel"
            ? new object[] { new Dictionary<string, object> { ["region"] = "330100", ["from"] = "2026-11-26", ["to"] = "2026-11-27", [part] = value } }
            : new Dictionary<string, object> { ["result"] = "negative", [part] = value };

        var response = await resident.DeclareAsync(declaration);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        var problem = await ResidentClient.JsonAsync(response);
        Assert.That(Problems.Errors(problem), Does.Contain(expected));
    }

    [Test]
    public async Task Declare_BytesThatAreNotUtf8_AreRefused_NamingTheField()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        var json = Encoding.UTF8.GetBytes(Declarations.Serialize(Declarations.Clean(resident.Phone).With("name", "@@")));
        var body = Replace(json, "@@"u8, [0xE5, 0xBC, 0xFF]);

        var response = await resident.DeclareAsync(JsonBytes(body));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "invalid_utf8");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { "name invalid_utf8" }));
    }

    [Test]
    public async Task RegisterPartner_AnUnpairedSurrogateInsideTheRootKey_IsRefused()
    {
        var body = """{"iss":"330000","name":"浙江省","trustListUrl":"http://127.0.0.1:9/trust-list","rootKey":{"kty":"EC","crv":"\ud800"}}""";

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/partners") { Content = JsonBytes(Encoding.UTF8.GetBytes(body)) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", HealthCodeFactory.OperatorKey);

        var response = await factory.CreateClient().SendAsync(request);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "invalid_utf8");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { "rootKey invalid_utf8" }));
    }

    [Test]
    public async Task Otp_AMemberGivenTwice_IsRefused()
    {
        // Two readers of one body must not see two phones: the first wins in some parsers, the last in others.
        var response = await factory.CreateClient().PostAsync("/api/v1/auth/otp", JsonBytes("""{"phone":"13800138000","phone":"13900139000"}"""u8.ToArray()));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "duplicate_field");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { "phone duplicate_field" }));
    }

    [TestCase("/api/v1/auth/otp", "application/json")]
    [TestCase("/api/v1/partner/status", "application/jose")]
    public async Task AChunkedBodyPastTheCap_Is413_WithoutAStackTrace_InDevelopmentToo(string path, string mediaType)
    {
        // The report this answers: anyone, without logging in, got a 500 from a chunked body over 64 KiB.
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"phone\":\"" + new string('1', 70 * 1024) + "\"}")),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Accept.ParseAdd("text/html");

        var response = await factory.CreateClient().SendAsync(request);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "body_too_large");
        Assert.That(problem.ToJsonString(), Does.Not.Contain("Exception").And.Not.Contain("   at "));
    }

    [TestCase("/api/v1/admin/staff/%FF")]
    [TestCase("/api/v1/admin/staff/%C0%80")]
    [TestCase("/api/v1/admin/staff/%ED%A0%80")]
    public async Task APathThatIsNotUtf8_IsRefused(string path)
    {
        var response = await StaffClient.Operator(factory.CreateClient(), HttpMethod.Delete, path);

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "invalid_utf8");
    }

    [Test]
    public async Task AQueryValueThatIsNotUtf8_IsRefused_NamingTheParameter()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();

        var response = await resident.GetAsync("/api/v1/me/code/qr?format=%E5%BC");

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "invalid_utf8");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { "format invalid_utf8" }));
    }

    [Test]
    public async Task AnAuthorizationHeaderThatIsNotUtf8_IsRefused()
    {
        using var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1 };
        using var client = new HttpClient(handler) { BaseAddress = factory.CreateClient().BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me/code");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer \u00ff\u00fe");

        var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "Kestrel refuses header bytes that are not UTF-8");
    }

    [Test]
    public async Task BadRequestExceptions_AreAnsweredWithTheirOwnStatus()
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = factory.Services };
        context.Response.Body = new MemoryStream();

        var handled = await new HealthCode.Api.Infrastructure.Http.BadRequestExceptionHandler()
            .TryHandleAsync(context, new Microsoft.AspNetCore.Http.BadHttpRequestException("Request body too large.", 413), CancellationToken.None);

        context.Response.Body.Position = 0;
        var body = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.Multiple(() =>
        {
            Assert.That(handled, Is.True);
            Assert.That(context.Response.StatusCode, Is.EqualTo(413));
            Assert.That(body, Does.Contain("\"code\":\"body_too_large\"").And.Not.Contain("Request body too large."));
        });
    }

    private static ByteArrayContent JsonBytes(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static byte[] Replace(byte[] text, ReadOnlySpan<byte> marker, byte[] with)
    {
        var at = text.AsSpan().IndexOf(marker);
        return [.. text.AsSpan(0, at), .. with, .. text.AsSpan(at + marker.Length)];
    }

    private static StringContent Json(object value) => new(Declarations.Serialize(value), Encoding.UTF8, "application/json");
}
