using System.Net;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Http;

[TestFixture]
internal sealed class IsolationAndRestartTests
{
    [Test]
    public async Task ResidentA_NeverSeesResidentBsCode()
    {
        using var factory = new HealthCodeFactory();
        var a = await new ResidentClient(factory.CreateClient()).LogInAsync();
        var b = await new ResidentClient(factory.CreateClient()).LogInAsync();
        var bCode = (await ResidentClient.JsonAsync(await b.DeclareAsync(Declarations.Clean(b.Phone)
            .With("symptoms", new[] { "cough" }))))["codeId"]!.GetValue<string>();

        // A has declared nothing: A's session reads A's (absent) code, never B's.
        var beforeA = await a.GetAsync("/api/v1/me/code");
        Assert.That(beforeA.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        var aCode = (await ResidentClient.JsonAsync(await a.DeclareAsync(Declarations.Clean(a.Phone))))["codeId"]!.GetValue<string>();
        var aView = await a.GetAsync("/api/v1/me/code");
        var aQr = await (await a.GetAsync("/api/v1/me/code/qr?format=text")).Content.ReadAsStringAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(aCode, Is.Not.EqualTo(bCode));
            Assert.That(await aView.Content.ReadAsStringAsync(), Does.Not.Contain(bCode).And.Contain(aCode));
            Assert.That((await ResidentClient.JsonAsync(aView))["color"]!.GetValue<string>(), Is.EqualTo("green"));
            Assert.That(HealthCode.Trust.Tokens.QrText.TryDecode(aQr, out var jws), Is.True);
            Assert.That(System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(jws.Split('.')[1])), Does.Contain(aCode));
        });
    }

    [Test]
    public async Task CodeAndSession_SurviveARestartOfTheService()
    {
        HealthCodeFactory first;
        ResidentClient resident;
        string codeId;
        using (first = new HealthCodeFactory())
        {
            resident = await new ResidentClient(first.CreateClient()).LogInAsync();
            codeId = (await ResidentClient.JsonAsync(await resident.DeclareAsync(Declarations.Clean(resident.Phone)
                .With("symptoms", new[] { "fatigue" }))))["codeId"]!.GetValue<string>();
        }

        using var second = HealthCodeFactory.OnTheStoreOf(first);
        var again = new ResidentClient(second.CreateClient()) { Token = resident.Token };

        var code = await again.GetAsync("/api/v1/me/code");

        Assert.That(code.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = await ResidentClient.JsonAsync(code);
        Assert.That(body["codeId"]!.GetValue<string>(), Is.EqualTo(codeId));
        Assert.That(body["color"]!.GetValue<string>(), Is.EqualTo("yellow"));
    }
}
