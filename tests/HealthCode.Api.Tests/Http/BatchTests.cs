using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Api.Tests.Support;
using HealthCode.Trust.Keys;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// Departments' signed batches over HTTP (DESIGN §9) on a real Kestrel and a real SQLite file: codes follow the facts,
/// each reason names its source, older tokens go stale, a retraction undoes its row, the same batch applies once, and
/// every kind of bad batch is refused whole with a clear answer and nothing applied.
/// </summary>
[TestFixture]
internal sealed class BatchTests : ServiceFixture
{
    private DateOnly Today => DateOnly.FromDateTime(factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

    private string Day(int days) => Today.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private string Instant(double hoursAgo) =>
        factory.Time.GetUtcNow().AddHours(-hoursAgo).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);

    [Test]
    public async Task ACloseContactBatch_TurnsTheCodeRed_NamingTheList_OlderTokensGoStale_AndARetractionUndoesIt()
    {
        var (resident, id) = await GreenResidentAsync();
        var onScreen = await (await resident.GetAsync("/api/v1/me/code/qr?format=text")).Content.ReadAsStringAsync();
        var staff = await StaffClient.EnrolAsync(client);
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts", "密切接触者名单");

        var applied = await cdc.UploadAndWaitAsync($"idNumber,name,notifiedAt,until,caseRef\n{id},张三艺,{Instant(2)},{Day(10)},HA-0017\n", "cc-1");

        var code = await ResidentClient.JsonAsync(await resident.GetAsync("/api/v1/me/code"));
        var reason = code["reasons"]!.AsArray().Single(r => r!["code"]!.GetValue<string>() == "listed_close_contact")!;
        var entry = await CatalogEntryAsync(cdc.Source);
        Assert.Multiple(async () =>
        {
            Assert.That(applied["status"]!.GetValue<string>(), Is.EqualTo("applied"), applied.ToJsonString());
            Assert.That(applied["applied"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(applied["rescored"]!.GetValue<long>(), Is.EqualTo(1), "an applied batch still says whom it re-scored");
            Assert.That(code["color"]!.GetValue<string>(), Is.EqualTo("red"));
            Assert.That(reason["source"]!["code"]!.GetValue<string>(), Is.EqualTo(cdc.Source));
            Assert.That(reason["source"]!["name"]!.GetValue<string>(), Is.EqualTo("密切接触者名单"));
            Assert.That(reason["source"]!["batchId"]!.GetValue<string>(), Is.EqualTo("cc-1"));
            Assert.That(StaffClient.ErrorCode(await staff.VerifyAsync(onScreen)), Is.EqualTo("code_revoked"), "the green token on screen is stale within the same request");
            Assert.That(entry["rows"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(entry["lastBatchAt"], Is.Not.Null);
        });

        // DESIGN §10: the re-scoring used the CDC's fact about the resident, and says so in the data-use log.
        var uses = factory.Query($"SELECT purpose || ' ' || actor || ' ' || source || ' ' || batch_id FROM data_use WHERE person_id = (SELECT person_id FROM codes WHERE code_id = '{code["codeId"]}')");
        Assert.That(uses, Does.Contain($"scoring system {cdc.Source} cc-1"));

        var retracted = await cdc.UploadAndWaitAsync($"idNumber,name,notifiedAt,until,caseRef,op\n{id},,,,HA-0017,retract\n", "cc-2");

        Assert.That(retracted["status"]!.GetValue<string>(), Is.EqualTo("applied"), retracted.ToJsonString());
        Assert.That((await ResidentClient.JsonAsync(await resident.GetAsync("/api/v1/me/code")))["color"]!.GetValue<string>(), Is.EqualTo("green"));
        Assert.That((await CatalogEntryAsync(cdc.Source))["rows"]!.GetValue<long>(), Is.EqualTo(0));
        // Newest first: the fixture's store is shared, and another test's scans may already fill a page of the oldest.
        var audit = await (await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit?order=desc&limit=100")).Content.ReadAsStringAsync();
        Assert.That(audit, Does.Contain("UploadBatch").And.Contain($"数据员 department:{cdc.Department}"), "each upload is audited under the department operator's name");
    }

    [Test]
    public async Task TheSameBatchIdTwice_AppliesOnce_AndTheSecondUploadIsAnsweredWithTheFirstsState()
    {
        var (resident, id) = await GreenResidentAsync();
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");
        var body = $"idNumber,name,notifiedAt,until,caseRef\n{id},张三艺,{Instant(1)},{Day(5)},HA-1\n";
        await cdc.UploadAndWaitAsync(body, "once");
        var versionAfterFirst = (await ResidentClient.JsonAsync(await resident.GetAsync("/api/v1/me/code")))["statusVersion"]!.GetValue<int>();

        var again = await cdc.UploadAsync(body, "once");

        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await ResidentClient.JsonAsync(again))["status"]!.GetValue<string>(), Is.EqualTo("applied"));
        Assert.That((await ResidentClient.JsonAsync(await resident.GetAsync("/api/v1/me/code")))["statusVersion"]!.GetValue<int>(), Is.EqualTo(versionAfterFirst));
    }

    [Test]
    public async Task FactsAboutAPersonWithoutAnAccount_WaitForTheirFirstDeclaration()
    {
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");
        var stranger = new ResidentClient(client);
        var id = Declarations.IdFor(stranger.Phone);
        await cdc.UploadAndWaitAsync($"idNumber,name,notifiedAt,until,caseRef\n{id},张三艺,{Instant(1)},{Day(7)},HA-2\n", "before-account");

        await stranger.LogInAsync();
        var declared = await ResidentClient.JsonAsync(await stranger.DeclareAsync(Declarations.Clean(stranger.Phone)));

        Assert.That(declared["color"]!.GetValue<string>(), Is.EqualTo("red"), "the list was there before the account");
    }

    [Test]
    public async Task EveryKind_ChangesCodesAsDesignSays()
    {
        var (confirmed, confirmedId) = await GreenResidentAsync();
        var (fellow, fellowId) = await GreenResidentAsync();
        var (tested, testedId) = await GreenResidentAsync();
        var (traveller, travellerId) = await GreenResidentAsync();
        var (local, _) = await GreenResidentAsync(region: "410104");
        using var cdc = await SharingClient.CreateAsync(factory, client, "cases", "确诊及疑似病例");
        using var lab = await SharingClient.CreateAsync(factory, client, "tests", "核酸检测结果");
        using var rail = await SharingClient.CreateAsync(factory, client, "travel", "铁路乘客记录");
        using var commission = await SharingClient.CreateAsync(factory, client, "risk_areas", "中高风险地区");

        // Travel: the confirmed case and a fellow passenger on G1552; another traveller arrives from 659001 (a high-risk area).
        await rail.UploadAndWaitAsync(
            $"idNumber,name,mode,service,date,from,to\n{confirmedId},张三艺,rail,G1552,{Day(-2)},410302,410100\n{fellowId},张三艺,rail,G1552,{Day(-2)},410302,410100\n{travellerId},张三艺,flight,CZ3101,{Day(-3)},659001,410100\n",
            "rail-1");
        await cdc.UploadAndWaitAsync($"{{\"idNumber\":\"{confirmedId}\",\"name\":\"张三艺\",\"status\":\"confirmed\",\"at\":\"{Instant(3)}\"}}\n", "cases-1", "application/x-ndjson");
        await lab.UploadAndWaitAsync($"idNumber,name,sampledAt,result,lab\n{testedId},张三艺,{Instant(20)},positive,郑州检测\n", "lab-1");
        await commission.UploadAndWaitAsync($"region,level,from,to\n410104,high,{Day(-1)},{Day(13)}\n", "areas-1");

        var colours = new Dictionary<string, JsonObject>();
        foreach (var (name, resident) in new[] { ("confirmed", confirmed), ("fellow", fellow), ("tested", tested), ("traveller", traveller), ("local", local) })
        {
            colours[name] = await ResidentClient.JsonAsync(await resident.GetAsync("/api/v1/me/code"));
        }

        string Color(string name) => colours[name]["color"]!.GetValue<string>();
        string[] Codes(string name) => [.. colours[name]["reasons"]!.AsArray().Select(r => r!["code"]!.GetValue<string>())];
        Assert.Multiple(() =>
        {
            Assert.That(Color("confirmed"), Is.EqualTo("red"));
            Assert.That(Codes("confirmed"), Does.Contain("reported_confirmed_case"));
            Assert.That(colours["confirmed"]["greenAfter"], Is.Null, "a standing case has no date to turn green");
            Assert.That(Color("fellow"), Is.EqualTo("yellow"));
            Assert.That(Codes("fellow"), Is.EqualTo(new[] { "co_traveller" }), "re-scored when the case was confirmed, without declaring again");
            Assert.That(Color("tested"), Is.EqualTo("red"));
            Assert.That(Codes("tested"), Does.Contain("reported_positive_test"));
            Assert.That(Color("traveller"), Is.EqualTo("red"));
            Assert.That(Codes("traveller"), Does.Contain("high_risk_area"));
            Assert.That(Color("local"), Is.EqualTo("red"), "the commission designated the district the resident declared");
            Assert.That(colours["local"]["reasons"]![0]!["source"]!["code"]!.GetValue<string>(), Is.EqualTo(commission.Source));
        });

        // The case cleared: the fellow passenger's co-traveller reason goes; the case is red until 14 days and a negative test.
        await cdc.UploadAndWaitAsync($"idNumber,name,status,at\n{confirmedId},张三艺,cleared,{Instant(1)}\n", "cases-2");
        Assert.That((await ResidentClient.JsonAsync(await fellow.GetAsync("/api/v1/me/code")))["color"]!.GetValue<string>(), Is.EqualTo("green"));
        Assert.That((await ResidentClient.JsonAsync(await confirmed.GetAsync("/api/v1/me/code")))["color"]!.GetValue<string>(), Is.EqualTo("red"));
    }

    [Test]
    public async Task ThePopulationRegister_OnceLoaded_RefusesAnIdentityItDoesNotHold()
    {
        // A service of its own: the register, once loaded, applies to every declaration.
        using var service = new HealthCodeFactory();
        var http = service.CreateClient();
        var known = new ResidentClient(http);
        var unknown = new ResidentClient(http);
        using var ga = await SharingClient.CreateAsync(service, http, "population", "常住人口");
        await ga.UploadAndWaitAsync($"idNumber,name,region\n{Declarations.IdFor(known.Phone)},张三艺,410105\n", "pop-1");

        await known.LogInAsync();
        await unknown.LogInAsync();
        var accepted = await known.DeclareAsync(Declarations.Clean(known.Phone));
        var refused = await unknown.DeclareAsync(Declarations.Clean(unknown.Phone));
        var wrongName = await known.SendAsync(HttpMethod.Post, "/api/v1/me/dependants", new { name = "李四", idNumber = Declarations.IdFor(known.Phone, member: 1) });

        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Created), await accepted.Content.ReadAsStringAsync());
        Assert.That((await Problems.ReadAsync(refused)).Code, Is.EqualTo("identity_not_found"));
        Assert.That((await Problems.ReadAsync(wrongName)).Code, Is.EqualTo("identity_not_found"));
    }

    [Test]
    public async Task APartnersOnlineStatusCheck_SeesTheColourABatchChanged()
    {
        using var zhejiang = new PartnerProvince("330000", "浙江省");
        var partners = PartnerProvince.NewPartnersFolder();
        zhejiang.PublishTo(partners, HealthCodeFactory.Start, TimeSpan.FromDays(30));
        using var service = HealthCodeFactory.WithPartners(partners);
        var http = service.CreateClient();
        var resident = await new ResidentClient(http).LogInAsync();
        var codeId = (await ResidentClient.JsonAsync(await resident.DeclareAsync(Declarations.Clean(resident.Phone))))["codeId"]!.GetValue<string>();
        using var cdc = await SharingClient.CreateAsync(service, http, "close_contacts");
        var now = service.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8));

        await cdc.UploadAndWaitAsync(
            $"idNumber,name,notifiedAt,until,caseRef\n{Declarations.IdFor(resident.Phone)},张三艺,{now.AddHours(-1):yyyy-MM-ddTHH:mm:sszzz},{now.AddDays(9):yyyy-MM-dd},HA-9\n", "partner-1");

        var asked = await http.PostAsync(new Uri("/api/v1/partner/status", UriKind.Relative),
            new StringContent(zhejiang.SignStatusRequest("410000", codeId, service.Time.GetUtcNow()), Encoding.ASCII, "application/jose"));
        var answer = await ResidentClient.JsonAsync(asked);
        Assert.That(asked.StatusCode, Is.EqualTo(HttpStatusCode.OK), answer.ToJsonString());
        Assert.That(answer["color"]!.GetValue<string>(), Is.EqualTo("red"), "a partner asking online hears the colour the CDC's list made");
        Assert.That(answer["statusVersion"]!.GetValue<int>(), Is.EqualTo(2));
    }

    [Test]
    public async Task ABodyThatIsNotTheSignedOne_IsRefusedHashMismatch_AndNothingApplies()
    {
        var (resident, id) = await GreenResidentAsync();
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");
        var signed = $"idNumber,name,notifiedAt,until,caseRef\n{id},张三艺,{Instant(1)},{Day(9)},HA-3\n";

        var response = await cdc.UploadAsync(signed.Replace("HA-3", "HA-4", StringComparison.Ordinal), "tampered", manifest: cdc.Manifest(signed, "tampered"));

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "hash_mismatch");
        Assert.That((await cdc.StatusAsync("tampered"))["status"]!.GetValue<string>(), Is.EqualTo("rejected"));
        await AssertStillGreenAsync(resident);
    }

    [Test]
    public async Task AManifestSignedWithAnotherKey_OrForAnotherSource_OrUploadedByAnotherDepartment_IsRefused()
    {
        var (resident, id) = await GreenResidentAsync();
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");
        using var ga = await SharingClient.CreateAsync(factory, client, "close_contacts");
        using var stranger = EcKey.Generate();
        var body = $"idNumber,name,notifiedAt,until,caseRef\n{id},张三艺,{Instant(1)},{Day(9)},HA-5\n";

        var otherKey = await cdc.UploadAsync(body, "k1", manifest: cdc.Manifest(body, "k1", key: stranger));
        var otherDepartmentsKey = await cdc.UploadAsync(body, "k2", manifest: cdc.Manifest(body, "k2", key: ga.Key));
        var otherSource = await cdc.UploadAsync(body, "k3", manifest: cdc.Manifest(body, "k3", source: ga.Source));
        var otherDepartment = await cdc.UploadAsync(body, "k4", token: ga.Token);
        var noManifest = await cdc.UploadAsync(body, "k5", manifest: "");
        var bootstrap = await cdc.UploadAsync(body, "k6", token: HealthCodeFactory.OperatorKey);

        Assert.Multiple(async () =>
        {
            Assert.That((await Problems.ReadAsync(otherKey)).Code, Does.StartWith("manifest_"));
            Assert.That(otherKey.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await Problems.ReadAsync(otherDepartmentsKey)).Code, Does.StartWith("manifest_"));
            Assert.That((await Problems.ReadAsync(otherSource)).Code, Does.StartWith("manifest_"));
            Assert.That(otherDepartment.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await Problems.ReadAsync(otherDepartment)).Code, Is.EqualTo("department_required"));
            Assert.That(noManifest.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(bootstrap.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "not even the bootstrap key uploads a department's data");
        });
        await AssertStillGreenAsync(resident);
    }

    [Test]
    public async Task ARowCountOtherThanTheManifests_IsRejectedWhole()
    {
        var (resident, id) = await GreenResidentAsync();
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");
        var body = $"idNumber,name,notifiedAt,until,caseRef\n{id},张三艺,{Instant(1)},{Day(9)},HA-6\n";

        var accepted = await cdc.UploadAsync(body, "count", manifest: cdc.Manifest(body, "count", rows: 2));
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var status = await cdc.WaitAsync("count");

        Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("rejected"));
        Assert.That(status["reason"]!.GetValue<string>(), Is.EqualTo("row_count_mismatch"));
        await AssertStillGreenAsync(resident);
    }

    [Test]
    public async Task BadRows_RejectTheWholeBatch_EachNamedByLineAndColumn()
    {
        var (resident, id) = await GreenResidentAsync();
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");
        var body = string.Join('\n',
            "idNumber,name,notifiedAt,until,caseRef,op",
            $"{id},张三艺,{Instant(1)},{Day(9)},HA-7,",
            $"110105194912310021,张三艺,{Instant(1)},{Day(9)},HA-7,",
            $"{id},张三艺,{Instant(1)},{Day(-3)},HA-8,",
            $"{id},张三艺,{Instant(1)},{Day(9)},HA-9,delete",
            $"{id},张三艺,tomorrow,{Day(9)},HA-10,",
            $"{id},李四,{Instant(1)},{Day(9)},HA-11,") + "\n";

        var status = await cdc.UploadAndWaitAsync(body, "bad-rows");

        var errors = status["errors"]!.AsArray().Select(e => $"{e!["line"]} {e["field"]} {e["code"]}").ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("rejected"));
            Assert.That(status["reason"]!.GetValue<string>(), Is.EqualTo("row_errors"));
            Assert.That(status["applied"]!.GetValue<long>(), Is.Zero);
            Assert.That(errors, Is.EqualTo(new[]
            {
                "3 idNumber id_number_invalid_checksum",
                "4 until date_range_invalid",
                "5 op op_unknown",
                "6 notifiedAt instant_invalid",
                "7 name name_mismatch",
            }));
        });
        await AssertStillGreenAsync(resident);
    }

    [Test]
    public async Task ACsvAsSpreadsheetsWriteIt_WithAByteOrderMarkCrlfQuotesAndABlankLine_IsRead_AndCountsRowsAsTheCliDoes()
    {
        var (first, firstId) = await GreenResidentAsync();
        var (second, secondId) = await GreenResidentAsync();
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");
        var body = "\uFEFFidNumber,name,notifiedAt,until,caseRef\r\n" +
            $"{firstId},\"张三艺\",{Instant(1)},{Day(6)},\"HA-14\"\r\n" +
            "\r\n" +
            $"{secondId},张三艺,{Instant(1)},{Day(6)},HA-14";

        var response = await cdc.UploadAsync(body, "spreadsheet", manifest: cdc.Manifest(body, "spreadsheet", rows: 2));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        var status = await cdc.WaitAsync("spreadsheet");

        Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("applied"), status.ToJsonString());
        foreach (var resident in new[] { first, second })
        {
            Assert.That((await ResidentClient.JsonAsync(await resident.GetAsync("/api/v1/me/code")))["color"]!.GetValue<string>(), Is.EqualTo("red"));
        }
    }

    [Test]
    public async Task OutsideDevelopment_ADepartmentIsNotRegisteredWithAPublicSampleKey()
    {
        var keys = Path.Combine(Path.GetTempPath(), "healthcode-tests", Guid.NewGuid().ToString("N"), "keys");
        ProvinceKeys.Generate(keys);
        using var production = new HealthCodeFactory(environment: "Production", settings: new()
        {
            ["HealthCode:Keys:Path"] = keys,
            ["HealthCode:Privacy:KeysPath"] = PrivacyFolders.Own(),
        });
        var sample = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "keys-sample", "departments", "CDC", "CDC.public.jwk")));

        var response = await StaffClient.Operator(production.CreateClient(), HttpMethod.Post, "/api/v1/admin/departments", new { code = "CDC", name = "疾控中心", key = sample });

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "key_is_sample");
    }

    [TestCase("idNumber,name,notifiedAt,until\n", "1 caseRef column_missing")]
    [TestCase("idNumber,name,notifiedAt,until,caseRef,phone\n", "1 phone column_unknown")]
    public async Task ACsvWithAMissingOrAnExtraColumn_IsRejected_NamingTheColumn(string header, string error)
    {
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");

        var status = await cdc.UploadAndWaitAsync(header + "110105194912310021,张三艺,x,y,z,w\n", "columns-" + error.Length);

        Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("rejected"));
        Assert.That(status["errors"]!.AsArray().Select(e => $"{e!["line"]} {e["field"]} {e["code"]}"), Does.Contain(error));
    }

    [Test]
    public async Task AnNdjsonLineThatIsNotJson_IsRejected_WithItsLine()
    {
        var (_, id) = await GreenResidentAsync();
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");
        var good = $"{{\"idNumber\":\"{id}\",\"name\":\"张三艺\",\"notifiedAt\":\"{Instant(1)}\",\"until\":\"{Day(9)}\",\"caseRef\":\"HA-12\"}}";

        var status = await cdc.UploadAndWaitAsync($"{good}\n{{\"idNumber\": oops\n{good}\n", "ndjson-bad", "application/x-ndjson");

        Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("rejected"));
        Assert.That(status["errors"]!.AsArray().Select(e => $"{e!["line"]} {e["code"]}"), Is.EqualTo(new[] { "2 json_invalid" }));
    }

    [Test]
    public async Task ABodyOfAnotherMediaType_Is415()
    {
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");

        var response = await cdc.UploadAsync("{\"rows\":[]}", "json", mediaType: "application/json");

        await Problems.AssertAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Test]
    public async Task AnUploadCutOffMidBody_IsRejectedIncomplete_AndTheSameBatchIdMaySendAgain()
    {
        var (resident, id) = await GreenResidentAsync();
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts");
        var body = $"idNumber,name,notifiedAt,until,caseRef\n{id},张三艺,{Instant(1)},{Day(9)},HA-13\n";
        var bytes = Encoding.UTF8.GetBytes(body);

        // A department's connection drops half-way: headers announce the whole body, half of it comes, and once the
        // service is receiving it (before that, a dropped request may not get past authentication) the connection goes.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(client.BaseAddress!.Host, client.BaseAddress.Port);
            var stream = tcp.GetStream();
            var head = $"POST /api/v1/sources/{cdc.Source}/batches HTTP/1.1\r\nHost: {client.BaseAddress.Authority}\r\nAuthorization: Bearer {cdc.Token}\r\n" +
                $"Content-Type: text/csv\r\nSharing-Manifest: {cdc.Manifest(body, "cut")}\r\nContent-Length: {bytes.Length}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await stream.FlushAsync();
            var receiving = await PollAsync(cdc, "cut", "receiving");
            Assert.That(receiving?["status"]?.GetValue<string>(), Is.EqualTo("receiving"), receiving?.ToJsonString() ?? "the service never recorded the batch");
        }

        var status = await PollAsync(cdc, "cut", "rejected");
        Assert.That(status?["reason"]?.GetValue<string>(), Is.EqualTo("upload_incomplete"), status?.ToJsonString() ?? "the service never recorded the cut batch");
        await AssertStillGreenAsync(resident);
        var again = await cdc.UploadAndWaitAsync(body, "cut");
        Assert.That(again["status"]!.GetValue<string>(), Is.EqualTo("applied"));
    }

    /// <summary>The batch's status once it is <paramref name="wanted"/>, or the last seen (null: not known) after 30 s.</summary>
    [Test]
    public async Task ABatch_AppliesWhole_WhileScansGoOnWithoutAPause_AndEveryScanIsAnswered()
    {
        // While scans are asked for, a batch works a share of its time and sleeps the rest (BatchPacing): it must still
        // get through, on real time even though the service's clock is a test's, and no scan may wait on it.
        var (resident, id) = await GreenResidentAsync();
        var staff = await StaffClient.EnrolAsync(client);
        var onScreen = await (await resident.GetAsync("/api/v1/me/code/qr?format=text")).Content.ReadAsStringAsync();
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts", "密切接触者名单");
        var rows = new StringBuilder("idNumber,name,notifiedAt,until,caseRef\n").Append(CultureInfo.InvariantCulture, $"{id},张三艺,{Instant(2)},{Day(10)},HA-0017\n");
        for (var i = 0; i < 600; i++)
        {
            rows.Append(CultureInfo.InvariantCulture, $"{Declarations.IdFor($"1390000{i:D4}")},李四,{Instant(2)},{Day(10)},HA-0018\n");
        }

        using var scanning = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var scans = Task.Run(async () =>
        {
            var answered = 0;
            for (; answered < 20_000 && !scanning.IsCancellationRequested; answered++)
            {
                await staff.VerifyAsync(onScreen);
            }

            return answered;
        });
        var applied = await cdc.UploadAndWaitAsync(rows.ToString(), "cc-paced");
        await scanning.CancelAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(applied["status"]!.GetValue<string>(), Is.EqualTo("applied"), applied.ToJsonString());
            Assert.That(applied["applied"]!.GetValue<long>(), Is.EqualTo(601));
            Assert.That(await scans, Is.GreaterThan(0), "every scan was answered 200 (VerifyAsync asserts it)");
            Assert.That((await ResidentClient.JsonAsync(await resident.GetAsync("/api/v1/me/code")))["color"]!.GetValue<string>(), Is.EqualTo("red"));
        });
    }

    [Test]
    [Platform(Exclude = "Win")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task ABatchsFolder_IsTheServiceUsersOnly()
    {
        // Batches name persons by ID number and name while they wait to be applied (DESIGN §11).
        var (_, id) = await GreenResidentAsync();
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts", "密切接触者名单");
        await cdc.UploadAndWaitAsync($"idNumber,name,notifiedAt,until,caseRef\n{id},张三艺,{Instant(2)},{Day(10)},HA-0017\n", "cc-private");

        var batches = Path.Combine(Path.GetDirectoryName(factory.DatabaseFile)!, "batches");
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Multiple(() =>
        {
            Assert.That(File.GetUnixFileMode(batches), Is.EqualTo(OwnerOnly));
            Assert.That(File.GetUnixFileMode(Path.Combine(batches, cdc.Source)), Is.EqualTo(OwnerOnly));
        });
    }

    private static async Task<JsonObject?> PollAsync(SharingClient department, string batchId, string wanted)
    {
        JsonObject? status;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            await Task.Delay(20);
            status = await department.FindStatusAsync(batchId);
        }
        while (status?["status"]!.GetValue<string>() != wanted && clock.Elapsed < TimeSpan.FromSeconds(30));

        return status;
    }

    private async Task<(ResidentClient Resident, string IdNumber)> GreenResidentAsync(string region = "410100")
    {
        var resident = await new ResidentClient(client).LogInAsync();
        var declared = await resident.DeclareAsync(Declarations.Clean(resident.Phone).With("region", region));
        Assert.That((await ResidentClient.JsonAsync(declared))["color"]!.GetValue<string>(), Is.EqualTo("green"));
        return (resident, Declarations.IdFor(resident.Phone));
    }

    private static async Task AssertStillGreenAsync(ResidentClient resident) =>
        Assert.That((await ResidentClient.JsonAsync(await resident.GetAsync("/api/v1/me/code")))["color"]!.GetValue<string>(), Is.EqualTo("green"), "nothing of a refused batch applies");

    private async Task<JsonObject> CatalogEntryAsync(string code)
    {
        var catalog = JsonNode.Parse(await client.GetStringAsync("/api/v1/catalog"))!;
        return catalog["entries"]!.AsArray().Single(e => e!["code"]!.GetValue<string>() == code)!.AsObject();
    }
}
