using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// The declaration draft over HTTP (DESIGN §10 "Prefill"): what the service knows of a person's declaration, each field
/// with where it came from (the last declaration, the population register, a lab, the account), never today's
/// temperature or symptoms; the holder's own or a family member's, nobody else's; each shared source it used recorded as
/// data use.
/// </summary>
[TestFixture]
internal sealed class PrefillTests : ServiceFixture
{
    [Test]
    public async Task ANewAccount_GetsItsPhoneOnly()
    {
        var resident = await new ResidentClient(client).LogInAsync();

        var response = await resident.GetAsync("/api/v1/me/declaration/draft");
        var draft = await ResidentClient.JsonAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), draft.ToJsonString());
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
            Assert.That(draft["personId"], Is.Null);
            Assert.That(draft["relation"], Is.Null);
            Assert.That(draft["lastDeclaredOn"], Is.Null);
            Assert.That(Fields(draft), Is.EqualTo(new[] { $"phone {resident.Phone} account" }));
            Assert.That(draft["askedAnew"]!.AsArray().Select(f => f!.GetValue<string>()), Is.EqualTo(new[] { "temperature", "symptoms" }));
        });
    }

    [Test]
    public async Task AHoldersLastDeclaration_FillsTheForm_TravelStillInsideTheWindow_ButNeverTemperatureOrSymptoms()
    {
        // A service of its own: the clock moves three days on.
        using var service = new HealthCodeFactory();
        var http = service.CreateClient();
        var resident = await new ResidentClient(http).LogInAsync();
        var declaredOn = Today(service);
        var testedAt = service.Time.GetUtcNow().AddHours(-30);
        var declared = await resident.DeclareAsync(Declarations.Clean(resident.Phone)
            .With("region", "410105")
            .With("symptoms", new[] { "cough" })
            .With("travel", new[]
            {
                new { region = "330106", from = Day(declaredOn, -14), to = Day(declaredOn, -13) },
                new { region = "330106", from = Day(declaredOn, -13), to = Day(declaredOn, -10) },
                new { region = "320102", from = Day(declaredOn, -2), to = Day(declaredOn, -1) },
            })
            .With("contact", new { confirmedCase = false, suspectedCase = false, closeContactNotice = true })
            .With("lastTest", new { result = "negative", at = testedAt }));
        Assert.That(declared.StatusCode, Is.EqualTo(HttpStatusCode.Created), await declared.Content.ReadAsStringAsync());
        service.Time.Advance(TimeSpan.FromDays(3));
        await resident.LogInAsync();

        var draft = await ResidentClient.JsonAsync(await resident.GetAsync("/api/v1/me/declaration/draft"));

        var fields = draft["fields"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(draft["relation"]!.GetValue<string>(), Is.EqualTo("holder"));
            Assert.That(draft["lastDeclaredOn"]!.GetValue<string>(), Is.EqualTo(Day(declaredOn, 0)));
            Assert.That(Fields(draft), Is.EqualTo(new[]
            {
                "name 张三艺 last_declaration",
                $"idNumber {Declarations.IdFor(resident.Phone)} last_declaration",
                $"phone {resident.Phone} last_declaration",
                "region 410105 last_declaration",
                "travel * last_declaration",
                "contact * last_declaration",
                "lastTest * last_declaration",
            }));
            // Three days on, the window starts at declaredOn - 11: the first stay is gone, the second starts with the window.
            Assert.That(fields["travel"]!["value"]!.AsArray().Select(s => $"{s!["region"]} {s["from"]} {s["to"]}"), Is.EqualTo(new[]
            {
                $"330106 {Day(declaredOn, -11)} {Day(declaredOn, -10)}",
                $"320102 {Day(declaredOn, -2)} {Day(declaredOn, -1)}",
            }));
            Assert.That(fields["contact"]!["value"]!["closeContactNotice"]!.GetValue<bool>(), Is.True);
            Assert.That(fields["lastTest"]!["value"]!["result"]!.GetValue<string>(), Is.EqualTo("negative"));
            Assert.That(fields["lastTest"]!["value"]!["at"]!.GetValue<DateTimeOffset>(), Is.EqualTo(testedAt));
            Assert.That(fields.ContainsKey("temperature") || fields.ContainsKey("symptoms"), Is.False, "measured anew each day");
            Assert.That(PrefillUses(service, draft["personId"]!.GetValue<string>()), Is.Empty, "no shared source was used");
        });
    }

    [Test]
    public async Task TheRegisterAndALab_FillAFamilyMembersForm_NamingTheirSources_AndEachSourceUsedIsDataUse()
    {
        // A service of its own: once the register is loaded, every first declaration there must be in it.
        using var service = new HealthCodeFactory();
        var http = service.CreateClient();
        var holder = new ResidentClient(http);
        var holderId = Declarations.IdFor(holder.Phone);
        var childId = Declarations.IdFor(holder.Phone, member: 2);
        using var ga = await SharingClient.CreateAsync(service, http, "population", "常住人口基本信息");
        using var lab = await SharingClient.CreateAsync(service, http, "tests", "核酸检测结果");
        var register = await ga.UploadAndWaitAsync($"idNumber,name,region\n{holderId},张三艺,410105\n{childId},李小宝,410102\n", "pop-1");
        Assert.That(register["status"]!.GetValue<string>(), Is.EqualTo("applied"), register.ToJsonString());

        await holder.LogInAsync();
        await holder.DeclareAsync(Declarations.Clean(holder.Phone).With("region", "410105"));
        var child = (await ResidentClient.JsonAsync(await holder.SendAsync(HttpMethod.Post, "/api/v1/me/dependants", new { name = "李小宝", idNumber = childId })))["personId"]!.GetValue<string>();
        var sampledAt = service.Time.GetUtcNow().AddHours(-20);
        var sampled = sampledAt.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
        var tests = await lab.UploadAndWaitAsync($"idNumber,name,sampledAt,result,lab\n{childId},李小宝,{sampled},negative,郑州金域检测\n{holderId},张三艺,{sampled},negative,郑州金域检测\n", "lab-1");
        Assert.That(tests["status"]!.GetValue<string>(), Is.EqualTo("applied"), tests.ToJsonString());

        var childDraft = await ResidentClient.JsonAsync(await holder.GetAsync($"/api/v1/me/declaration/draft?personId={child}"));
        var holderDraft = await ResidentClient.JsonAsync(await holder.GetAsync("/api/v1/me/declaration/draft"));

        var fields = childDraft["fields"]!;
        Assert.Multiple(() =>
        {
            Assert.That(childDraft["personId"]!.GetValue<string>(), Is.EqualTo(child));
            Assert.That(childDraft["relation"]!.GetValue<string>(), Is.EqualTo("dependant"));
            Assert.That(Fields(childDraft), Is.EqualTo(new[]
            {
                "name 李小宝 population_register",
                $"idNumber {childId} account",
                $"phone {holder.Phone} account",
                "region 410102 population_register",
                "lastTest * lab",
            }));
            Assert.That(Source(fields["name"]!), Is.EqualTo($"{ga.Source} 常住人口基本信息 pop-1"));
            Assert.That(Source(fields["region"]!), Is.EqualTo($"{ga.Source} 常住人口基本信息 pop-1"));
            Assert.That(Source(fields["lastTest"]!), Is.EqualTo($"{lab.Source} 核酸检测结果 lab-1"));
            Assert.That(fields["lastTest"]!["lab"]!.GetValue<string>(), Is.EqualTo("郑州金域检测"));
            Assert.That(fields["lastTest"]!["value"]!["result"]!.GetValue<string>(), Is.EqualTo("negative"));
            Assert.That(fields["lastTest"]!["value"]!["at"]!.GetValue<DateTimeOffset>(), Is.EqualTo(sampledAt));
            // The holder declared: the declaration answers for who and where, the lab for the test.
            Assert.That(Fields(holderDraft), Is.EqualTo(new[]
            {
                "name 张三艺 last_declaration",
                $"idNumber {holderId} last_declaration",
                $"phone {holder.Phone} last_declaration",
                "region 410105 last_declaration",
                "travel * last_declaration",
                "contact * last_declaration",
                "lastTest * lab",
            }));
        });

        // DESIGN §10: a prefill is data use, once per shared source a value came from.
        Assert.That(PrefillUses(service, child), Is.EqualTo(new[] { $"prefill resident {ga.Source} pop-1", $"prefill resident {lab.Source} lab-1" }));
        Assert.That(PrefillUses(service, holderDraft["personId"]!.GetValue<string>()), Is.EqualTo(new[] { $"prefill resident {lab.Source} lab-1" }));
    }

    [Test]
    public async Task AFamilyMembersDraft_IsTheirOwnLastDeclaration_NotTheHolders()
    {
        var holder = await new ResidentClient(client).LogInAsync();
        await holder.DeclareAsync(Declarations.Clean(holder.Phone).With("region", "410100"));
        var childId = Declarations.IdFor(holder.Phone, member: 2);
        var child = (await ResidentClient.JsonAsync(await holder.SendAsync(HttpMethod.Post, "/api/v1/me/dependants", new { name = "李小宝", idNumber = childId })))["personId"]!.GetValue<string>();
        var before = await ResidentClient.JsonAsync(await holder.GetAsync($"/api/v1/me/declaration/draft?personId={child}"));
        await holder.SendAsync(HttpMethod.Post, $"/api/v1/declarations?personId={child}",
            Declarations.Clean(holder.Phone).With("name", "李小宝").With("idNumber", childId).With("region", "410105"));

        var after = await ResidentClient.JsonAsync(await holder.GetAsync($"/api/v1/me/declaration/draft?personId={child}"));

        Assert.Multiple(() =>
        {
            Assert.That(Fields(before), Is.EqualTo(new[] { "name 李小宝 account", $"idNumber {childId} account", $"phone {holder.Phone} account" }),
                "before their first declaration, what the holder entered for them");
            Assert.That(Fields(after).Take(4), Is.EqualTo(new[]
            {
                "name 李小宝 last_declaration", $"idNumber {childId} last_declaration", $"phone {holder.Phone} last_declaration", "region 410105 last_declaration",
            }));
            Assert.That(after["relation"]!.GetValue<string>(), Is.EqualTo("dependant"));
        });
    }

    [Test]
    public async Task AnotherAccountsPerson_IsA404PersonNotFound_AndNothingOfThemIsAnswered()
    {
        var owner = await new ResidentClient(client).LogInAsync();
        await owner.DeclareAsync(Declarations.Clean(owner.Phone));
        var childId = Declarations.IdFor(owner.Phone, member: 2);
        var child = (await ResidentClient.JsonAsync(await owner.SendAsync(HttpMethod.Post, "/api/v1/me/dependants", new { name = "李小宝", idNumber = childId })))["personId"]!.GetValue<string>();
        var ownerPerson = (await ResidentClient.JsonAsync(await owner.GetAsync("/api/v1/me/code")))["personId"]!.GetValue<string>();
        var stranger = await new ResidentClient(client).LogInAsync();
        await stranger.DeclareAsync(Declarations.Clean(stranger.Phone));

        foreach (var personId in new[] { child, ownerPerson, "0123456789abcdef01234567", "' OR 1=1 --" })
        {
            var response = await stranger.GetAsync($"/api/v1/me/declaration/draft?personId={Uri.EscapeDataString(personId)}");
            var problem = await Problems.AssertAsync(response, HttpStatusCode.NotFound, "person_not_found");
            Assert.That(problem.ToJsonString(), Does.Not.Contain(childId).And.Not.Contain("李小宝").And.Not.Contain(owner.Phone), personId);
        }

        Assert.That(PrefillUses(factory, child), Is.Empty);
    }

    [Test]
    public async Task WithoutASession_IsA401()
    {
        var response = await client.GetAsync(new Uri("/api/v1/me/declaration/draft", UriKind.Relative));

        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "session_missing");
    }

    /// <summary>Each field of a draft as "name value origin" (value * when it is not a string), in the order answered.</summary>
    private static List<string> Fields(JsonObject draft) =>
        [.. draft["fields"]!.AsObject().Select(f => $"{f.Key} {(f.Value!["value"] is JsonValue v && v.TryGetValue<string>(out var text) ? text : "*")} {f.Value["origin"]}")];

    private static string Source(JsonNode field) => $"{field["source"]!["code"]} {field["source"]!["name"]} {field["source"]!["batchId"]}";

    private static DateOnly Today(HealthCodeFactory service) => DateOnly.FromDateTime(service.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

    private static string Day(DateOnly day, int offset) => day.AddDays(offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static List<string> PrefillUses(HealthCodeFactory service, string personId) =>
        service.Query($"SELECT purpose || ' ' || actor || ' ' || coalesce(source, '-') || ' ' || coalesce(batch_id, '-') FROM data_use WHERE person_id = '{personId.Replace("'", "''", StringComparison.Ordinal)}' AND purpose = 'prefill' ORDER BY seq");
}
