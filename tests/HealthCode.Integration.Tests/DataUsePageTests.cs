using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Sharing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HealthCode.Integration.Tests;

/// <summary>
/// "谁使用了我的数据" on the resident page in real headless Chromium, against the real service (DESIGN §10): a resident
/// declares, a department's signed batch names them, checkpoint staff look them up by ID card, the office of their area
/// lists them, and the page lists the three uses, newest first, naming the list, its batch, the checkpoint and the
/// office, in Chinese and in English, a page at a time.
/// The department is set up through the public HTTP API (a key of its own, an entry of the sample catalogue's shape,
/// an operator of role department:&lt;code&gt;), so the shared service's other tests see nothing of it.
/// </summary>
[TestFixture]
public sealed class DataUsePageTests
{
    private const string ListName = "密切接触者名单（数据使用测试）";

    private ServiceClient _service = null!;
    private HttpClient _http = null!;
    private WatchedPage _opened = null!;
    private ResidentPage _resident = null!;
    private PageConsole _console = null!;

    [SetUp]
    public async Task OpenPageAsync()
    {
        SetDefaultExpectTimeout(15_000);
        _service = new ServiceClient();
        _http = new HttpClient { BaseAddress = ServiceFixture.Api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var opened = await WatchedPage.OpenAsync(ServiceFixture.Browser);
        (_opened, _console) = (opened, opened.Console);
        _resident = new ResidentPage(opened.Page);
        await _resident.OpenAsync();
    }

    [TearDown]
    public async Task ClosePageAsync()
    {
        await _opened.CloseAsync(ServiceFixture.Api.Output);
        _http.Dispose();
        _service.Dispose();
    }

    [Test]
    public async Task WhoUsedMyData_ShowsTheScoringUseNamingTheListAndBatch_TheLookupWithItsCheckpoint_AndTheOfficeView()
    {
        var page = _resident.Page;
        var id = IdNumbers.NewValid();
        await _resident.LogInAsync(ResidentPage.NewPhone());
        await _resident.FillDeclarationAsync("张三", id, "410100", "36.5");
        await _resident.SubmitAsync();
        await Expect(_resident.CodeFrame).ToHaveAttributeAsync("data-color", "green");

        using var department = await DepartmentAsync();
        await department.UploadAsync(CloseContacts(id, "张三"), "du-batch-1");
        var staff = await _service.EnrolStaffAsync("data-use-gate-7");
        await _service.LookupAsync(staff, id, "张三");
        // The office of the resident's area lists its red people, this one among them: a view of their data.
        var office = (await _service.OperatorAsync(HttpMethod.Post, "/api/v1/admin/operators", new { name = "数据使用办", roles = new[] { "office:410100" } }, HttpStatusCode.Created))!;
        var listed = await _service.OfficePeopleAsync(office["token"]!.GetValue<string>());
        Assert.That(listed.ToJsonString(), Does.Contain(id[^4..]), "the office lists the resident the batch turned red");

        await page.ReloadAsync();
        await Expect(_resident.CodeFrame).ToHaveAttributeAsync("data-color", "red");
        await page.Locator("#open-data-use").ClickAsync();

        var rows = page.Locator("#data-use-list > li");
        await Expect(page.Locator("#view-data-use")).ToBeVisibleAsync();
        await Expect(page.Locator("#data-use-title")).ToHaveTextAsync("谁使用了我的数据");
        await Expect(rows).ToHaveCountAsync(3);
        var officeView = rows.Nth(0);
        var lookup = rows.Nth(1);
        var scoring = rows.Nth(2);
        await Expect(officeView).ToHaveAttributeAsync("data-purpose", "office_view");
        await Expect(officeView).ToContainTextAsync("社区（基层）防控查看");
        await Expect(officeView).ToContainTextAsync("基层防控办公室 410100（数据使用办）");
        await Expect(lookup).ToHaveAttributeAsync("data-purpose", "lookup");
        await Expect(lookup).ToContainTextAsync("检查点凭身份证查验");
        await Expect(lookup).ToContainTextAsync($"使用者：检查点 data-use-gate-7（工作人员 {staff.StaffId}）");
        await Expect(scoring).ToHaveAttributeAsync("data-purpose", "scoring");
        await Expect(scoring).ToHaveAttributeAsync("data-source", department.Source);
        await Expect(scoring).ToContainTextAsync($"数据来源：{ListName}（批次 du-batch-1）");
        await Expect(scoring).ToContainTextAsync("使用者：健康码系统（自动赋码）");
        await Expect(scoring).ToContainTextAsync("关于：本人 张*");
        await Expect(page.Locator("#data-use-more")).ToBeHiddenAsync();
        await Expect(page.Locator("#data-use-status")).ToHaveTextAsync("已显示全部记录。");
        await _resident.SaveScreenshotAsync("who used my data: the CDC's list scored the code, a checkpoint looked it up");

        await page.Locator("#lang-switch").ClickAsync();
        await Expect(page.Locator("#data-use-title")).ToHaveTextAsync("Who used my data");
        await Expect(lookup).ToContainTextAsync($"Used by: checkpoint data-use-gate-7 (staff {staff.StaffId})");
        await Expect(scoring).ToContainTextAsync($"Data: {ListName} (batch du-batch-1)");
        await Expect(scoring).ToContainTextAsync("Scoring: your code's colour");

        await page.Locator("#data-use-back").ClickAsync();
        await Expect(_resident.CodeFrame).ToBeVisibleAsync();
        Assert.That(_console.Errors, Is.Empty, "no script or policy errors in the browser console");
    }

    [Test]
    public async Task WhoUsedMyData_PagesOlderUses_WithTheMoreButton_AndForgetsThemOnLogOut()
    {
        var page = _resident.Page;
        var id = IdNumbers.NewValid();
        await _resident.LogInAsync(ResidentPage.NewPhone());
        await _resident.FillDeclarationAsync("李四", id, "410100", "36.5");
        await _resident.SubmitAsync();
        await Expect(_resident.CodeFrame).ToHaveAttributeAsync("data-color", "green");
        // 25 lookups, each a use (the code has no shared source): two staff members, within their 20 a minute.
        foreach (var (gate, times) in new[] { ("data-use-gate-a", 13), ("data-use-gate-b", 12) })
        {
            var staff = await _service.EnrolStaffAsync(gate);
            for (var i = 0; i < times; i++)
            {
                await _service.LookupAsync(staff, id, "李四");
            }
        }

        await page.Locator("#open-data-use").ClickAsync();
        var rows = page.Locator("#data-use-list > li");
        await Expect(rows).ToHaveCountAsync(20);
        await Expect(rows.First).ToContainTextAsync("data-use-gate-b");
        await Expect(rows.First).ToContainTextAsync("仅查看了健康码状态");
        await page.Locator("#data-use-more").ClickAsync();
        await Expect(rows).ToHaveCountAsync(25);
        await Expect(page.Locator("#data-use-more")).ToBeHiddenAsync();
        await Expect(rows.Nth(20)).ToBeFocusedAsync();
        await Expect(rows.Last).ToContainTextAsync("data-use-gate-a");
        var seqs = await rows.EvaluateAllAsync<long[]>("rows => rows.map(r => Number(r.dataset.seq))");
        Assert.That(seqs, Is.Ordered.Descending.And.Unique, "newest first, no use twice across the pages");

        await page.Locator("#logout").ClickAsync();
        await Expect(page.Locator("#view-login")).ToBeVisibleAsync();
        await Expect(rows).ToHaveCountAsync(0);
        Assert.That(_console.Errors, Is.Empty, "no script or policy errors in the browser console");
    }

    /// <summary>A close-contact list naming the resident, notified an hour ago, until a week from today (China Standard Time).</summary>
    private static string CloseContacts(string idNumber, string name)
    {
        var now = DateTimeOffset.UtcNow;
        return "idNumber,name,notifiedAt,until,caseRef\n"
            + $"{idNumber},{name},{now.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)},"
            + $"{now.ToOffset(TimeSpan.FromHours(8)).AddDays(7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)},HA-DU-1\n";
    }

    /// <summary>
    /// A department of its own, through the operator API: registered with a new key, publishing a close-contact list
    /// shaped as the sample catalogue's (deploy/sample-data/catalog.json, 410000-CDC-002), and an operator to upload it.
    /// </summary>
    private async Task<Department> DepartmentAsync()
    {
        var code = "U" + RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        var key = EcKey.Generate();
        await _service.OperatorAsync(HttpMethod.Post, "/api/v1/admin/departments",
            new { code, name = $"数据使用测试部门 {code}", key = JsonNode.Parse(key.ToPublicJwk()) }, HttpStatusCode.Created);
        var catalog = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoRoot.Find(), "deploy", "sample-data", "catalog.json")))!;
        var entry = catalog["entries"]!.AsArray().Single(e => e!["kind"]!.GetValue<string>() == "close_contacts")!.DeepClone().AsObject();
        entry["code"] = $"410000-{code}-001";
        entry["provider"] = code;
        entry["name"] = ListName;
        await _service.OperatorAsync(HttpMethod.Post, "/api/v1/admin/catalog", entry, HttpStatusCode.Created);
        var account = await _service.OperatorAsync(HttpMethod.Post, "/api/v1/admin/operators",
            new { name = $"{code} 数据员", roles = new[] { $"department:{code}" } }, HttpStatusCode.Created);
        return new Department(_http, $"410000-{code}-001", key, account!["token"]!.GetValue<string>());
    }

    /// <summary>A department's operator uploading signed batches of its entry (DESIGN §9), as the CLI does.</summary>
    private sealed record Department(HttpClient Http, string Source, EcKey Key, string Token) : IDisposable
    {
        public void Dispose() => Key.Dispose();

        /// <summary>Uploads <paramref name="csv"/> with its signed manifest and waits (bounded: 60 s) until it is applied.</summary>
        public async Task UploadAsync(string csv, string batchId)
        {
            var body = Encoding.UTF8.GetBytes(csv);
            var manifest = BatchManifestCodec.Sign(
                new BatchManifest(Source, batchId, BatchManifest.Sha256Text(SHA256.HashData(body)), csv.Count(c => c == '\n') - 1, DateTimeOffset.UtcNow.AddSeconds(-1)), Key);
            using var upload = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sources/{Source}/batches") { Content = new ByteArrayContent(body) };
            upload.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            upload.Headers.Add("Sharing-Manifest", manifest);
            upload.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var accepted = await Http.SendAsync(upload);
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await accepted.Content.ReadAsStringAsync());

            var clock = Stopwatch.StartNew();
            while (true)
            {
                using var asked = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/sources/{Source}/batches/{batchId}");
                asked.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
                using var answer = await Http.SendAsync(asked);
                var status = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
                if (status["status"]?.GetValue<string>() is "applied" or "rejected")
                {
                    Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("applied"), status.ToJsonString());
                    return;
                }

                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), $"batch {batchId} is still {status.ToJsonString()}");
                await Task.Delay(100);
            }
        }
    }
}
