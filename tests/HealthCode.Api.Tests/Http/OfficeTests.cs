using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// Grassroots offices over HTTP (DESIGN §10): an <c>office:&lt;region&gt;</c> operator sees the counts by colour and the
/// yellow and red people of its area (the region of each person's latest declaration), paged and filtered, each person
/// listed recorded as data use; nobody outside the area, by any endpoint or parameter; no other operator sees them.
/// Each test declares its people in regions of its own, so what one test counts no other test adds to.
/// </summary>
[TestFixture]
internal sealed class OfficeTests : ServiceFixture
{
    [Test]
    public async Task Summary_CountsEachColourOfTheArea_WithItsName_AndNobodyOutsideIt()
    {
        await DeclaredAsync("410211", "green");
        await DeclaredAsync("410211", "yellow");
        await DeclaredAsync("410211", "red");
        await DeclaredAsync("410212", "red");
        await DeclaredAsync("330106", "red");
        var office = await OfficeAsync("开封张科长", "410211");

        var summary = await JsonAsync(await GetAsync(office, "/api/v1/office/summary"));

        var area = summary["areas"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(area["region"]!.GetValue<string>(), Is.EqualTo("410211"));
            Assert.That(area["name"]!.GetValue<string>(), Is.EqualTo("开封市"), "a county code has its prefecture's name");
            Assert.That(area["nameEn"]!.GetValue<string>(), Is.EqualTo("Kaifeng"));
            Assert.That(Counts(area["counts"]!), Is.EqualTo((1, 1, 1, 3)));
            Assert.That(area["regions"]!.AsArray().Select(r => r!["region"]!.GetValue<string>()), Is.EqualTo(new[] { "410211" }));
            Assert.That(Counts(summary["total"]!), Is.EqualTo((1, 1, 1, 3)));
            Assert.That(summary["asOf"]!.GetValue<DateTimeOffset>(), Is.EqualTo(factory.Time.GetUtcNow()));
        });
    }

    [Test]
    public async Task People_ListsTheYellowAndRedOfTheArea_WithPhoneReasonsAndSince_NeverGreen_AndRecordsEachAsDataUse()
    {
        var declaredAt = factory.Time.GetUtcNow();
        var yellow = await DeclaredAsync("410221", "yellow");
        var red = await DeclaredAsync("410221", "red");
        var green = await DeclaredAsync("410221", "green");
        var outside = await DeclaredAsync("410222", "red");
        var office = await OfficeAsync("开封李主任", "410221");

        var response = await GetAsync(office, "/api/v1/office/people");
        var page = await JsonAsync(response);

        var items = page["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
        var redItem = items.Single(i => i["idTail"]!.GetValue<string>() == red.IdNumber[^4..]);
        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True, "names and phones are never cached on the way");
            Assert.That(items.Select(i => i["idTail"]!.GetValue<string>()), Is.EquivalentTo(new[] { yellow.IdNumber[^4..], red.IdNumber[^4..] }));
            Assert.That(page["nextCursor"], Is.Null);
            Assert.That(redItem.Select(p => p.Key), Is.EquivalentTo(new[]
            {
                "maskedName", "idTail", "phone", "phoneOf", "color", "reasons", "since", "region", "regionName", "regionNameEn", "office",
            }));
            Assert.That(redItem["maskedName"]!.GetValue<string>(), Is.EqualTo("张*艺"));
            Assert.That(redItem["phone"]!.GetValue<string>(), Is.EqualTo(red.Resident.Phone));
            Assert.That(redItem["phoneOf"]!.GetValue<string>(), Is.EqualTo("self"));
            Assert.That(redItem["color"]!.GetValue<string>(), Is.EqualTo("red"));
            Assert.That(redItem["reasons"]![0]!["code"]!.GetValue<string>(), Is.EqualTo("confirmed_case"));
            Assert.That(redItem["reasons"]![0]!["zhCn"]!.GetValue<string>(), Does.Contain("确诊"));
            Assert.That(redItem["reasons"]![0]!["en"]!.GetValue<string>(), Does.Contain("confirmed case"));
            Assert.That(redItem["since"]!.GetValue<DateTimeOffset>(), Is.EqualTo(declaredAt));
            Assert.That(redItem["region"]!.GetValue<string>(), Is.EqualTo("410221"));
            Assert.That(redItem["regionName"]!.GetValue<string>(), Is.EqualTo("开封市"));
            Assert.That(redItem["office"]!.GetValue<string>(), Is.EqualTo("410221"));
            Assert.That(items.Single(i => i["idTail"]!.GetValue<string>() == yellow.IdNumber[^4..])["color"]!.GetValue<string>(), Is.EqualTo("yellow"));
        });

        // DESIGN §10: each person viewed is one use of their data, by the operator, through the office; nobody else's.
        Assert.Multiple(() =>
        {
            Assert.That(OfficeViews(yellow.PersonId), Is.EqualTo(new[] { "office_view office 410221 (开封李主任) -" }));
            Assert.That(OfficeViews(red.PersonId), Is.EqualTo(new[] { "office_view office 410221 (开封李主任) -" }));
            Assert.That(OfficeViews(green.PersonId), Is.Empty, "green people are never listed, so never viewed");
            Assert.That(OfficeViews(outside.PersonId), Is.Empty);
        });
    }

    [Test]
    public async Task APersonsArea_IsTheRegionOfTheirLatestDeclaration()
    {
        var mover = await DeclaredAsync("410231", "red");
        var office = await OfficeAsync("开封王科员", "410231");
        var elsewhere = await OfficeAsync("洛阳赵科员", "410331");
        Assert.That(await TailsAsync(office, "/api/v1/office/people"), Is.EqualTo(new[] { mover.IdNumber[^4..] }));

        var moved = await mover.Resident.DeclareAsync(Declarations.Clean(mover.Resident.Phone).With("region", "410331")
            .With("contact", new { confirmedCase = true, suspectedCase = false, closeContactNotice = false }));
        Assert.That(moved.StatusCode, Is.EqualTo(HttpStatusCode.Created), await moved.Content.ReadAsStringAsync());

        Assert.That(await TailsAsync(office, "/api/v1/office/people"), Is.Empty, "declared elsewhere: no longer this office's");
        Assert.That(await TailsAsync(elsewhere, "/api/v1/office/people"), Is.EqualTo(new[] { mover.IdNumber[^4..] }));
        Assert.That(Counts((await JsonAsync(await GetAsync(office, "/api/v1/office/summary")))["total"]!), Is.EqualTo((0, 0, 0, 0)));
    }

    [Test]
    public async Task AnOfficeOfAPrefecture_SeesAllOfIt_AndNarrowsToOneOfItsRegions()
    {
        var first = await DeclaredAsync("410702", "red");
        var second = await DeclaredAsync("410703", "yellow");
        await DeclaredAsync("410703", "green");
        await DeclaredAsync("410802", "red");
        var office = await OfficeAsync("新乡市疫情防控办", "4107");

        var all = await TailsAsync(office, "/api/v1/office/people");
        var one = await TailsAsync(office, "/api/v1/office/people?region=410702");
        var summary = await JsonAsync(await GetAsync(office, "/api/v1/office/summary"));
        var narrowed = await JsonAsync(await GetAsync(office, "/api/v1/office/summary?region=410703"));

        var area = summary["areas"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(all, Is.EquivalentTo(new[] { first.IdNumber[^4..], second.IdNumber[^4..] }));
            Assert.That(one, Is.EqualTo(new[] { first.IdNumber[^4..] }));
            Assert.That(area["name"]!.GetValue<string>(), Is.EqualTo("新乡市"));
            Assert.That(Counts(area["counts"]!), Is.EqualTo((1, 1, 1, 3)));
            Assert.That(area["regions"]!.AsArray().Select(r => $"{r!["region"]} {Counts(r["counts"]!)}"), Is.EqualTo(new[] { "410702 (0, 0, 1, 1)", "410703 (1, 1, 0, 2)" }));
            Assert.That(narrowed["areas"]!.AsArray().Single()!["region"]!.GetValue<string>(), Is.EqualTo("410703"));
            Assert.That(Counts(narrowed["total"]!), Is.EqualTo((1, 1, 0, 2)));
        });
    }

    [Test]
    public async Task People_PageWithACursor_MostRecentColourChangeFirst_AndFilterByColour()
    {
        var declared = new List<(string Tail, string Colour)>();
        foreach (var colour in new[] { "red", "yellow", "red", "yellow", "red" })
        {
            factory.Time.Advance(TimeSpan.FromMinutes(1));
            declared.Add(((await DeclaredAsync("410241", colour)).IdNumber[^4..], colour));
        }

        var office = await OfficeAsync("开封周科员", "410241");

        var pages = new List<List<string>>();
        string? cursor = null;
        do
        {
            var page = await JsonAsync(await GetAsync(office, $"/api/v1/office/people?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}"));
            pages.Add([.. page["items"]!.AsArray().Select(i => i!["idTail"]!.GetValue<string>())]);
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null && pages.Count < 10);

        var newestFirst = Enumerable.Reverse(declared).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(pages.Select(p => p.Count), Is.EqualTo(new[] { 2, 2, 1 }));
            Assert.That(pages.SelectMany(p => p), Is.EqualTo(newestFirst.Select(d => d.Tail)));
            Assert.That(await TailsAsync(office, "/api/v1/office/people?color=red"), Is.EqualTo(newestFirst.Where(d => d.Colour == "red").Select(d => d.Tail)));
            Assert.That(await TailsAsync(office, "/api/v1/office/people?color=yellow"), Is.EqualTo(newestFirst.Where(d => d.Colour == "yellow").Select(d => d.Tail)));
        });
    }

    [Test]
    public async Task Since_MovesOnlyWhenTheColourChanges_ByADeclaration_OrByADepartmentsList()
    {
        var firstAt = factory.Time.GetUtcNow();
        var person = await DeclaredAsync("410251", "yellow");
        var calm = await DeclaredAsync("410251", "green");
        var office = await OfficeAsync("开封吴科员", "410251");

        factory.Time.Advance(TimeSpan.FromHours(1));
        await person.Resident.DeclareAsync(Declarations.Clean(person.Resident.Phone).With("region", "410251").With("temperature", 38.0));
        var stillYellow = (await ItemsAsync(office, "/api/v1/office/people")).Single(i => i["idTail"]!.GetValue<string>() == person.IdNumber[^4..]);

        factory.Time.Advance(TimeSpan.FromHours(1));
        var redAt = factory.Time.GetUtcNow();
        await person.Resident.DeclareAsync(Declarations.Clean(person.Resident.Phone).With("region", "410251")
            .With("contact", new { confirmedCase = false, suspectedCase = false, closeContactNotice = true }));
        var nowRed = (await ItemsAsync(office, "/api/v1/office/people")).Single(i => i["idTail"]!.GetValue<string>() == person.IdNumber[^4..]);

        // A department's list turns the green neighbour red: the re-scoring moves 'since' too, and the view names the list.
        factory.Time.Advance(TimeSpan.FromHours(1));
        var listedAt = factory.Time.GetUtcNow();
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts", "密切接触者名单");
        var notified = listedAt.AddHours(-1).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
        var until = DateOnly.FromDateTime(listedAt.ToOffset(TimeSpan.FromHours(8)).DateTime).AddDays(10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await cdc.UploadAndWaitAsync($"idNumber,name,notifiedAt,until,caseRef\n{calm.IdNumber},张三艺,{notified},{until},HA-0301\n", "cc-office");
        var neighbour = (await ItemsAsync(office, "/api/v1/office/people")).Single(i => i["idTail"]!.GetValue<string>() == calm.IdNumber[^4..]);

        Assert.Multiple(() =>
        {
            Assert.That(stillYellow["since"]!.GetValue<DateTimeOffset>(), Is.EqualTo(firstAt), "yellow again: yellow since the first time");
            Assert.That(nowRed["since"]!.GetValue<DateTimeOffset>(), Is.EqualTo(redAt));
            Assert.That(neighbour["color"]!.GetValue<string>(), Is.EqualTo("red"));
            Assert.That(neighbour["since"]!.GetValue<DateTimeOffset>(), Is.GreaterThanOrEqualTo(listedAt));
            Assert.That(neighbour["reasons"]!.AsArray().Select(r => r!["source"]?["code"]?.GetValue<string>()), Does.Contain(cdc.Source));
            Assert.That(OfficeViews(calm.PersonId), Does.Contain($"office_view office 410251 (开封吴科员) {cdc.Source}"), "the view names the source behind the reason");
        });
    }

    [Test]
    public async Task AFamilyMember_IsListedWithTheHoldersPhone_MarkedAsTheHolders()
    {
        var holder = await new ResidentClient(client).LogInAsync();
        await holder.DeclareAsync(Declarations.Clean(holder.Phone).With("region", "410261"));
        var childId = Declarations.IdFor(holder.Phone, member: 2);
        var added = await ResidentClient.JsonAsync(await holder.SendAsync(HttpMethod.Post, "/api/v1/me/dependants", new { name = "李小宝", idNumber = childId }));
        var declared = await holder.SendAsync(HttpMethod.Post, $"/api/v1/declarations?personId={added["personId"]}",
            Declarations.Clean(holder.Phone).With("name", "李小宝").With("idNumber", childId).With("region", "410261").With("temperature", 37.9));
        Assert.That(declared.StatusCode, Is.EqualTo(HttpStatusCode.Created), await declared.Content.ReadAsStringAsync());
        var office = await OfficeAsync("开封郑科员", "410261");

        var child = (await ItemsAsync(office, "/api/v1/office/people")).Single();

        Assert.Multiple(() =>
        {
            Assert.That(child["maskedName"]!.GetValue<string>(), Is.EqualTo("李*宝"));
            Assert.That(child["idTail"]!.GetValue<string>(), Is.EqualTo(childId[^4..]));
            Assert.That(child["phone"]!.GetValue<string>(), Is.EqualTo(holder.Phone));
            Assert.That(child["phoneOf"]!.GetValue<string>(), Is.EqualTo("holder"));
        });
    }

    [Test]
    public async Task AnOperatorWithSeveralOffices_SeesEachArea_AndEveryoneOnceInTheTotal()
    {
        await DeclaredAsync("410411", "red");
        await DeclaredAsync("410412", "yellow");
        await DeclaredAsync("410521", "red");
        var office = await OfficeAsync("联合办公室", "4104", "410411", "410521");

        var me = await JsonAsync(await GetAsync(office, "/api/v1/office/me"));
        var summary = await JsonAsync(await GetAsync(office, "/api/v1/office/summary"));
        var people = await ItemsAsync(office, "/api/v1/office/people");

        Assert.Multiple(() =>
        {
            Assert.That(me["name"]!.GetValue<string>(), Is.EqualTo("联合办公室"));
            Assert.That(me["operatorId"]!.GetValue<string>(), Does.StartWith("op_"));
            Assert.That(me["offices"]!.AsArray().Select(o => $"{o!["region"]} {o["name"]} {o["nameEn"]}"),
                Is.EqualTo(new[] { "4104 平顶山市 Pingdingshan", "410411 平顶山市 Pingdingshan", "410521 安阳市 Anyang" }));
            Assert.That(summary["areas"]!.AsArray().Select(a => $"{a!["region"]} {Counts(a["counts"]!)}"),
                Is.EqualTo(new[] { "4104 (0, 1, 1, 2)", "410411 (0, 0, 1, 1)", "410521 (0, 0, 1, 1)" }));
            Assert.That(Counts(summary["total"]!), Is.EqualTo((0, 1, 2, 3)), "the 410411 person, in two of the offices, is counted once");
            Assert.That(people, Has.Count.EqualTo(3));
            Assert.That(people.Select(p => $"{p["region"]} {p["office"]}"), Is.EquivalentTo(new[] { "410411 410411", "410412 4104", "410521 410521" }),
                "each listed under the most specific of the operator's offices");
        });
    }

    // DESIGN §10: "no other area's people, ever". An office of 410105 asks, by each endpoint's region parameter, for a wider
    // area, a neighbour, another province: refused as a role it lacks, before anything is read.
    [TestCase("41", "410181")]
    [TestCase("4101", "410102")]
    [TestCase("410102", "410102")]
    [TestCase("4103", "410302")]
    [TestCase("410302", "410302")]
    [TestCase("33", "330106")]
    [TestCase("330106", "330106")]
    [TestCase("110105", "110105")]
    public async Task AnOffice_AskingForARegionOutsideItsArea_IsRefused_OnEveryEndpoint_AndSeesNobody(string region, string declaredIn)
    {
        var outside = await DeclaredAsync(declaredIn, "red");
        var office = await OfficeAsync("金水区办公室", "410105");

        foreach (var path in new[] { $"/api/v1/office/summary?region={region}", $"/api/v1/office/people?region={region}", $"/api/v1/office/people?color=red&region={region}&limit=100" })
        {
            var response = await GetAsync(office, path);
            var problem = await Problems.AssertAsync(response, HttpStatusCode.Forbidden, "role_required");
            Assert.That(problem["roles"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EqualTo(new[] { $"office:{region}" }), path);
            Assert.That(WithoutTraceId(problem.ToJsonString()), Does.Not.Contain(outside.IdNumber[^4..]), path);
        }

        Assert.That(OfficeViews(outside.PersonId), Is.Empty);
    }

    [TestCase("4101x")]
    [TestCase("41010")]
    [TestCase("4")]
    [TestCase("4100")]
    [TestCase("000000")]
    [TestCase("419999")]
    [TestCase("4101051")]
    [TestCase("410105 ")]
    [TestCase("４１０１０５")]
    [TestCase("410105' OR '1'='1")]
    [TestCase("%")]
    public async Task AMalformedOrUnknownRegion_IsA400NamingRegion_OnEveryEndpoint(string region)
    {
        var office = await OfficeAsync("金水区办公室", "410105");

        foreach (var path in new[] { "/api/v1/office/summary", "/api/v1/office/people" })
        {
            var response = await GetAsync(office, $"{path}?region={Uri.EscapeDataString(region)}");
            var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation_failed");
            Assert.That(Problems.Errors(problem).Single(), Does.StartWith("region region_"), path);
        }
    }

    [TestCase("color=green", "color color_not_listed")]
    [TestCase("color=blue", "color color_invalid")]
    [TestCase("limit=0", "limit limit_invalid")]
    [TestCase("limit=101", "limit limit_invalid")]
    [TestCase("limit=ten", "limit limit_invalid")]
    [TestCase("limit=-1", "limit limit_invalid")]
    [TestCase("cursor=not-a-cursor!", "cursor cursor_invalid")]
    [TestCase("cursor=bm9jb2xvbg", "cursor cursor_invalid")]
    [TestCase("cursor=MTp4eR", "cursor cursor_invalid")] // "1:xy" with the last character's unused bits set: not a 500
    public async Task ABadParameterOfTheList_IsA400NamingIt(string query, string error)
    {
        var office = await OfficeAsync("金水区办公室", "410105");

        var problem = await Problems.AssertAsync(await GetAsync(office, $"/api/v1/office/people?{query}"), HttpStatusCode.BadRequest, "validation_failed");

        Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { error }));
    }

    [Test]
    public async Task ACursorMadeUpByHand_StillListsOnlyTheArea()
    {
        var inside = await DeclaredAsync("410271", "red");
        await DeclaredAsync("410272", "red");
        var office = await OfficeAsync("开封冯科员", "410271");
        // A position after the end of time: were the cursor to widen anything, everyone would follow it.
        var forged = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{long.MaxValue}:0")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var tails = await TailsAsync(office, $"/api/v1/office/people?cursor={forged}");

        Assert.That(tails, Is.EqualTo(new[] { inside.IdNumber[^4..] }));
    }

    // Issue 11, abuse: paging past the end. A cursor at the last person of the list (as the client would make it from
    // the last page's position) and one before any colour change answer an empty last page, and view nobody.
    [Test]
    public async Task PagingPastTheEnd_IsAnEmptyLastPage_WithoutANextCursor_AndViewsNobody()
    {
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        var older = await DeclaredAsync("410931", "red");
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        var newer = await DeclaredAsync("410931", "yellow");
        var office = await OfficeAsync("濮阳郑科员", "410931");

        var first = await JsonAsync(await GetAsync(office, "/api/v1/office/people?limit=1"));
        var second = await JsonAsync(await GetAsync(office, $"/api/v1/office/people?limit=1&cursor={first["nextCursor"]!.GetValue<string>()}"));
        var last = second["items"]!.AsArray().Single()!;
        var atTheEnd = Cursor(last["since"]!.GetValue<DateTimeOffset>().ToUnixTimeMilliseconds(), older.PersonId);
        var viewsBefore = OfficeViews(older.PersonId).Count + OfficeViews(newer.PersonId).Count;

        Assert.Multiple(async () =>
        {
            Assert.That(first["items"]!.AsArray().Single()!["idTail"]!.GetValue<string>(), Is.EqualTo(newer.IdNumber[^4..]));
            Assert.That(last["idTail"]!.GetValue<string>(), Is.EqualTo(older.IdNumber[^4..]));
            Assert.That(second["nextCursor"], Is.Null, "the last page says it is the last");
            foreach (var cursor in new[] { atTheEnd, Cursor(0, "0") })
            {
                var beyond = await JsonAsync(await GetAsync(office, $"/api/v1/office/people?cursor={cursor}&limit=100"));
                Assert.That(beyond["items"]!.AsArray(), Is.Empty, cursor);
                Assert.That(beyond["nextCursor"], Is.Null, cursor);
            }

            Assert.That(OfficeViews(older.PersonId).Count + OfficeViews(newer.PersonId).Count, Is.EqualTo(viewsBefore), "an empty page views nobody");
        });
    }

    // Issue 11, abuse: a paging cursor taken from another office's list continues only the office's own list; the
    // other area's people are neither listed nor viewed under this office's name.
    [Test]
    public async Task ACursorFromAnotherOfficesList_ContinuesOnlyTheOwnArea()
    {
        var own = await DeclaredAsync("410941", "red");
        var theirs = new List<(ResidentClient Resident, string IdNumber, string PersonId)>();
        for (var i = 0; i < 3; i++)
        {
            factory.Time.Advance(TimeSpan.FromMinutes(1));
            theirs.Add(await DeclaredAsync("410942", "red"));
        }

        var ownOffice = await OfficeAsync("濮阳王科员", "410941");
        var otherOffice = await OfficeAsync("濮阳赵科员", "410942");
        var theirCursor = (await JsonAsync(await GetAsync(otherOffice, "/api/v1/office/people?limit=1")))["nextCursor"]!.GetValue<string>();

        var tails = await TailsAsync(ownOffice, $"/api/v1/office/people?cursor={theirCursor}&limit=100");

        Assert.Multiple(() =>
        {
            Assert.That(tails, Is.EqualTo(new[] { own.IdNumber[^4..] }), "declared before their cursor's position, and the only one of the area");
            foreach (var person in theirs)
            {
                Assert.That(OfficeViews(person.PersonId), Has.None.Contains("office:410941"));
            }
        });
    }

    // Issue 11, abuse: a personId of another area opens nothing of them, by any office endpoint or by the resident
    // endpoints that take a personId: the office endpoints have no such parameter and ignore it, the resident ones do not
    // take an operator's token, and there is no endpoint of one person.
    [Test]
    public async Task APersonIdOfAnotherArea_OpensNothingOfThem_ByAnyEndpoint()
    {
        var inside = await DeclaredAsync("410951", "yellow");
        var outside = await DeclaredAsync("410952", "red");
        var office = await OfficeAsync("濮阳钱科员", "410951");
        var personId = Uri.EscapeDataString(outside.PersonId);

        var listed = await TailsAsync(office, $"/api/v1/office/people?personId={personId}");
        var summary = await JsonAsync(await GetAsync(office, $"/api/v1/office/summary?personId={personId}"));

        Assert.Multiple(async () =>
        {
            Assert.That(listed, Is.EqualTo(new[] { inside.IdNumber[^4..] }));
            Assert.That(summary["areas"]!.AsArray().Select(a => a!["region"]!.GetValue<string>()), Is.EqualTo(new[] { "410951" }));
            Assert.That(Counts(summary["total"]!), Is.EqualTo((0L, 1L, 0L, 1L)), "the area's one yellow person, not the red one outside");
            foreach (var path in new[] { $"/api/v1/me/code?personId={personId}", $"/api/v1/me/declaration/draft?personId={personId}" })
            {
                Assert.That((await GetAsync(office, path)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), path);
            }

            var one = await GetAsync(office, $"/api/v1/office/people/{personId}");
            Assert.That(one.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(WithoutTraceId(await one.Content.ReadAsStringAsync()), Does.Not.Contain(outside.IdNumber[^4..]));
            Assert.That(OfficeViews(outside.PersonId), Is.Empty, "viewed by nobody");
        });
    }

    // Admin, health, auditor and department operators and the bootstrap key never see office lists (OfficesModule: the
    // lists are for the office of the area; an admin who must see them is given an office account, under their name).
    [TestCase("admin")]
    [TestCase("health")]
    [TestCase("auditor")]
    [TestCase("department:CDC")]
    [TestCase(null)]
    public async Task AnOperatorWithoutAnOfficeRole_IsRefusedOnEveryOfficeEndpoint(string? role)
    {
        await DeclaredAsync("410281", "red");
        var token = role is null ? HealthCodeFactory.OperatorKey : await OfficeTokenAsync("其他角色", role);

        foreach (var path in new[] { "/api/v1/office/me", "/api/v1/office/summary", "/api/v1/office/people", "/api/v1/office/people?region=410281" })
        {
            var problem = await Problems.AssertAsync(await GetAsync(token, path), HttpStatusCode.Forbidden, "role_required");
            Assert.That(problem["roles"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EqualTo(new[] { "office:<region>" }), path);
        }
    }

    [Test]
    public async Task NoToken_AResidentsSession_OrAStaffToken_IsA401()
    {
        var resident = await new ResidentClient(client).LogInAsync();
        var staff = await StaffClient.EnrolAsync(client);

        foreach (var path in new[] { "/api/v1/office/me", "/api/v1/office/summary", "/api/v1/office/people" })
        {
            Assert.That((await client.GetAsync(new Uri(path, UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), path);
            Assert.That((await GetAsync(resident.Token!, path)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), path);
            Assert.That((await GetAsync(staff.Token, path)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), path);
        }
    }

    [Test]
    public async Task AnOfficeToken_OpensNoOtherEndpoint()
    {
        var office = await OfficeAsync("金水区办公室", "410105");

        foreach (var path in new[] { "/api/v1/admin/operators", "/api/v1/admin/audit", "/api/v1/admin/departments" })
        {
            await Problems.AssertAsync(await GetAsync(office, path), HttpStatusCode.Forbidden, "role_required");
        }

        foreach (var path in new[] { "/api/v1/me/code", "/api/v1/me/dependants", "/api/v1/me/declaration/draft" })
        {
            Assert.That((await GetAsync(office, path)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), path);
        }

        var lookup = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/lookup", new { idNumber = Declarations.ValidId, name = "张三艺", checkpointId = "gate" }, office);
        Assert.That(lookup.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task AStoredOfficeRoleThatIsNoArea_GrantsNothing()
    {
        await DeclaredAsync("410291", "red");
        var token = await OfficeAsync("被改动的账号", "410291");
        // Someone with write access to the store widens the role to "office:", which every region would start with.
        factory.Execute("UPDATE operators SET roles = '[\"office:\"]' WHERE name = '被改动的账号'");

        var problem = await Problems.AssertAsync(await GetAsync(token, "/api/v1/office/people"), HttpStatusCode.Forbidden, "role_required");

        Assert.That(problem["roles"]!.AsArray().Single()!.GetValue<string>(), Is.EqualTo("office:<region>"));
    }

    [Test]
    public async Task CodesOfAnOlderSchema_GetTheirSinceAndArea_FromWhatTheyHad()
    {
        // A data folder of schema 9 (before offices) with one red code, updated at one time and declared in 410105 last.
        var file = Path.Combine(Path.GetTempPath(), "healthcode-tests", Guid.NewGuid().ToString("N"), "hc.db");
        await new SqliteDatabase($"Data Source={file}").MigrateAsync(9, CancellationToken.None);
        var updatedAt = HealthCodeFactory.Start.AddDays(-1);
        var payload = (string region) => Declarations.Serialize(Declarations.Clean("13900000001").With("region", region));
        HealthCodeFactory.Execute(file, $"""
            INSERT INTO residents (id, phone, created_at) VALUES ('acc1', '13900000001', 0);
            INSERT INTO persons (id, id_number, full_name, account_id, role, bound_at, created_at) VALUES ('p1', '{Declarations.IdFor("13900000001")}', '张三艺', 'acc1', 'holder', 0, 0);
            INSERT INTO declarations (resident_id, person_id, submitted_at, day, payload, raw_color, color, negative_test, policy_version)
            VALUES ('acc1', 'p1', 1, '2026-11-20', '{payload("410302")}', 2, 2, 0, 'v'), ('acc1', 'p1', 2, '2026-11-27', '{payload("410105")}', 2, 2, 0, 'v');
            INSERT INTO codes (person_id, code_id, color, reasons, green_after, status_version, updated_at, masked_name, id_tail)
            VALUES ('p1', 'c1', 2, '[]', NULL, 1, {updatedAt.ToUnixTimeMilliseconds()}, '张*艺', '0001');
            """);

        using var upgraded = new HealthCodeFactory(file);
        var upgradedClient = upgraded.CreateClient();
        var created = await StaffClient.Operator(upgradedClient, HttpMethod.Post, "/api/v1/admin/operators", new { name = "金水区办公室", roles = new[] { "office:410105" } });
        var token = (await ResidentClient.JsonAsync(created))["token"]!.GetValue<string>();

        var listed = await ResidentClient.JsonAsync(await StaffClient.Operator(upgradedClient, HttpMethod.Get, "/api/v1/office/people", null, token));

        var only = listed["items"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(only["idTail"]!.GetValue<string>(), Is.EqualTo("0001"));
            Assert.That(only["region"]!.GetValue<string>(), Is.EqualTo("410105"), "the latest declaration's region");
            Assert.That(only["since"]!.GetValue<DateTimeOffset>(), Is.EqualTo(updatedAt), "since migrated from updated_at");
        });
    }

    private static (long Green, long Yellow, long Red, long Total) Counts(JsonNode counts) =>
        (counts["green"]!.GetValue<long>(), counts["yellow"]!.GetValue<long>(), counts["red"]!.GetValue<long>(), counts["total"]!.GetValue<long>());

    /// <summary>A resident of their own phone who declared in <paramref name="region"/> and got <paramref name="colour"/>.</summary>
    private async Task<(ResidentClient Resident, string IdNumber, string PersonId)> DeclaredAsync(string region, string colour)
    {
        var resident = await new ResidentClient(client).LogInAsync();
        var declaration = Declarations.Clean(resident.Phone).With("region", region);
        if (colour == "yellow")
        {
            declaration.With("temperature", 37.8);
        }
        else if (colour == "red")
        {
            declaration.With("contact", new { confirmedCase = true, suspectedCase = false, closeContactNotice = false });
        }

        var declared = await ResidentClient.JsonAsync(await resident.DeclareAsync(declaration));
        Assert.That(declared["color"]?.GetValue<string>(), Is.EqualTo(colour), declared.ToJsonString());
        return (resident, Declarations.IdFor(resident.Phone), declared["personId"]!.GetValue<string>());
    }

    /// <summary>A named operator of the office roles of <paramref name="regions"/>; its token.</summary>
    private Task<string> OfficeAsync(string name, params string[] regions) => OfficeTokenAsync(name, [.. regions.Select(r => $"office:{r}")]);

    private async Task<string> OfficeTokenAsync(string name, params string[] roles)
    {
        var created = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/operators", new { name, roles });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        return (await ResidentClient.JsonAsync(created))["token"]!.GetValue<string>();
    }

    private Task<HttpResponseMessage> GetAsync(string token, string path) => StaffClient.Operator(client, HttpMethod.Get, path, null, token);

    private static async Task<JsonObject> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task<List<JsonObject>> ItemsAsync(string token, string path) =>
        [.. (await JsonAsync(await GetAsync(token, path)))["items"]!.AsArray().Select(i => i!.AsObject())];

    private async Task<List<string>> TailsAsync(string token, string path) =>
        [.. (await ItemsAsync(token, path)).Select(i => i["idTail"]!.GetValue<string>())];

    /// <summary>A list cursor as the service makes one (<c>OfficeCursor</c>): base64url of "since-ms:personId".</summary>
    private static string Cursor(long sinceMs, string personId) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{sinceMs}:{personId}"))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The person's office_view entries of the data-use log as "purpose actor source" ('-' for none).</summary>
    private List<string> OfficeViews(string personId) =>
        factory.Query($"SELECT purpose || ' ' || actor || ' ' || coalesce(source, '-') FROM data_use WHERE person_id = '{personId}' AND purpose = 'office_view' ORDER BY seq");

    /// <summary>A problem answer without its random <c>traceId</c>, whose hex digits may spell any ID tail by chance.</summary>
    private static string WithoutTraceId(string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node.Remove("traceId");
        return node.ToJsonString();
    }
}
