using System.Globalization;
using System.Net;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HealthCode.Integration.Tests;

/// <summary>
/// Disputes and four-eyes overrides on the resident page (DESIGN §10) in real headless Chromium against a real service
/// of its own (real Kestrel, real SQLite): the sample CDC's close-contact list, uploaded with the real
/// <c>healthcode batch upload</c> and signed with the sample CDC key, turns a resident red; the resident disputes the
/// reason from the page; the CDC sees it in its queue and retracts the row by another batch; the page then shows the
/// dispute corrected and the code green. A four-eyes override shows on the page as a reason naming its rule, and the
/// audit names both operators. No script error or policy violation on the way.
/// </summary>
[TestFixture]
public sealed class DisputePageTests
{
    private AccountabilityClient _service = null!;
    private WatchedPage _opened = null!;
    private ResidentPage _resident = null!;
    private PageConsole _console = null!;

    [OneTimeSetUp]
    public async Task StartServiceAsync() =>
        _service = await AccountabilityClient.StartAsync(TestContext.CurrentContext.CancellationToken);

    [OneTimeTearDown]
    public async Task StopServiceAsync() => await _service.DisposeAsync();

    [SetUp]
    public async Task OpenPageAsync()
    {
        SetDefaultExpectTimeout(15_000);
        var options = ServiceFixture.PhoneContextOptions();
        options.BaseURL = _service.BaseAddress.ToString();
        var opened = await WatchedPage.OpenAsync(ServiceFixture.Browser, options);
        (_opened, _console) = (opened, opened.Console);
        _resident = new ResidentPage(opened.Page);
        await _resident.OpenAsync();
    }

    [TearDown]
    public async Task ClosePageAsync()
    {
        await _opened.CloseAsync(_service.Output);
    }

    [Test]
    public async Task ADisputeResolvedByRetraction_TurnsTheCodeBack_AndThePageShowsItCorrected()
    {
        var page = _resident.Page;
        var idNumber = IdNumbers.NewValid();
        await _resident.LogInAsync(ResidentPage.NewPhone());
        await _resident.FillDeclarationAsync("李四", idNumber, "410100", "36.5");
        await _resident.SubmitAsync();
        await Expect(_resident.CodeFrame).ToHaveAttributeAsync("data-color", "green");

        // The CDC's list names the resident: red, the reason naming the list and its batch.
        await _service.UploadAsync(AccountabilityClient.CloseContact(idNumber, "李四"), "page-cc-1");
        await page.ReloadAsync();
        await Expect(_resident.CodeFrame).ToHaveAttributeAsync("data-color", "red");
        var reason = page.Locator("#reasons li[data-code='listed_close_contact']");
        await Expect(reason.Locator(".reason-source")).ToContainTextAsync("数据来源：密切接触者名单（批次 page-cc-1）");

        // The resident disputes it from the page.
        await reason.GetByRole(AriaRole.Button, new() { Name = $"对“{AccountabilityClient.SourceName}”的数据申请纠错" }).ClickAsync();
        await Expect(page.Locator("#dispute-fact")).ToContainTextAsync("纠错对象：密切接触者名单（批次 page-cc-1）");
        await page.Locator("#dispute-submit").ClickAsync();
        await Expect(page.Locator("#dispute-reason-error")).ToHaveTextAsync("请说明哪里有误。");
        await page.GetByLabel("哪里有误？").FillAsync("通知所说的那天我在外地出差，没有接触过该病例。");
        await page.Locator("#dispute-submit").ClickAsync();

        await Expect(page.Locator("#message")).ToContainTextAsync("纠错申请已提交");
        await Expect(reason.Locator(".dispute-badge")).ToHaveTextAsync("纠错申请：处理中");
        await Expect(reason.Locator(".dispute-action")).ToHaveCountAsync(0);
        var open = page.Locator("#dispute-list li[data-state='open']");
        await Expect(open).ToContainTextAsync("通知所说的那天我在外地出差");
        await Expect(open).ToContainTextAsync("处理中：提供数据的部门和卫生健康部门正在核实。");
        await Screenshots.SaveAsync(page, "a dispute filed from the page, being checked", "filed");

        // The providing department sees it in its queue, masked.
        var queued = (await _service.DepartmentQueueAsync("?state=open"))
            .Single(d => d!["fact"]!["batchId"]!.GetValue<string>() == "page-cc-1")!;
        Assert.Multiple(() =>
        {
            Assert.That(queued["maskedName"]!.GetValue<string>(), Is.EqualTo("李*"));
            Assert.That(queued["idTail"]!.GetValue<string>(), Is.EqualTo(idNumber[^4..]));
            Assert.That(queued["reason"]!.GetValue<string>(), Is.EqualTo("通知所说的那天我在外地出差，没有接触过该病例。"));
            Assert.That(queued.ToJsonString(), Does.Not.Contain(idNumber));
        });

        // The department retracts the row by a batch: the code turns back, and the page says the dispute was corrected.
        await _service.UploadAsync(AccountabilityClient.Retraction(idNumber), "page-cc-2");
        await page.ReloadAsync();

        await Expect(_resident.CodeFrame).ToHaveAttributeAsync("data-color", "green");
        await Expect(page.Locator("#reasons li[data-code='listed_close_contact']")).ToHaveCountAsync(0);
        var corrected = page.Locator("#dispute-list li[data-state='retracted']");
        await Expect(corrected).ToContainTextAsync("已更正：提供数据的部门已撤回或更正这项数据。");
        await Expect(corrected).ToContainTextAsync("密切接触者名单（批次 page-cc-1）");
        await Expect(corrected).ToContainTextAsync("处理于");
        await Expect(page.Locator("#dispute-list li[data-state='open']")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(page, "the dispute corrected, the code green again", "corrected");
        await page.Locator("#lang-switch").ClickAsync();
        await Expect(corrected).ToContainTextAsync("Corrected: the department that provided the data retracted or corrected it.");
        Assert.That((await _service.DepartmentQueueAsync("?state=retracted")).Select(d => d!["fact"]!["batchId"]!.GetValue<string>()), Does.Contain("page-cc-1"),
            "the department's queue shows it retracted too");
        Assert.That(_console.Errors, Is.Empty, "no script errors or policy violations in the browser console");
    }

    [Test]
    public async Task AReasonFromARiskAreaDesignation_NamesItsSource_ButOffersNoDispute_ForItIsNotAboutThePerson()
    {
        var page = _resident.Page;
        await _service.UploadAsync(AccountabilityClient.HighRiskArea("410302"), "page-areas-1", riskAreas: true);
        await _resident.LogInAsync(ResidentPage.NewPhone());
        await _resident.FillDeclarationAsync("赵六", IdNumbers.NewValid(), "410302", "36.5");
        // The page learns each entry's kind from the public catalogue once a reason names a source: a designation is
        // the region's, not the person's, and the service would answer a dispute of it fact_not_found.
        var catalog = await page.RunAndWaitForResponseAsync(_resident.SubmitAsync, r => r.Url.EndsWith("/api/v1/catalog", StringComparison.Ordinal));
        Assert.That(catalog.Ok, Is.True);

        await Expect(_resident.CodeFrame).ToHaveAttributeAsync("data-color", "red");
        var reason = page.Locator("#reasons li[data-code='high_risk_area']");
        await Expect(reason.Locator(".reason-source")).ToContainTextAsync($"数据来源：{AccountabilityClient.RiskAreasName}（批次 page-areas-1）");
        await Expect(reason.Locator(".dispute-action")).ToHaveCountAsync(0);
        await Expect(page.Locator("#reasons .dispute-action")).ToHaveCountAsync(0);
        await Expect(page.Locator("#disputes")).ToBeHiddenAsync();
        Assert.That(_console.Errors, Is.Empty, "no script errors or policy violations in the browser console");
    }

    [Test]
    public async Task AFourEyesOverride_IsSeenOnThePageAsAReason_AndTheAuditNamesBothOperators()
    {
        const string rule = "豫疫防指〔2020〕12号";
        var page = _resident.Page;
        var idNumber = IdNumbers.NewValid();
        await _resident.LogInAsync(ResidentPage.NewPhone());
        await _resident.FillDeclarationAsync("王五", idNumber, "410100", "36.5");
        await page.Locator("input[name=confirmedCase]").CheckAsync();
        await _resident.SubmitAsync();
        await Expect(_resident.CodeFrame).ToHaveAttributeAsync("data-color", "red");

        const string proposerName = "周卫健";
        const string approverName = "吴审核";
        var proposer = await _service.HealthOperatorAsync(proposerName);
        var approver = await _service.HealthOperatorAsync(approverName);
        var until = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).DateTime).AddDays(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var proposed = await _service.SendAsync(HttpMethod.Post, "/api/v1/admin/overrides", proposer,
            new { idNumber, color = "green", reason = "误勾选接触史，经社区核实无接触。", rule, until }, HttpStatusCode.Created);
        var overrideId = proposed!["overrideId"]!.GetValue<string>();

        // A proposal alone changes nothing, and its proposer cannot approve it.
        var refused = await _service.SendAsync(HttpMethod.Post, $"/api/v1/admin/overrides/{overrideId}/approve", proposer, null, HttpStatusCode.Forbidden);
        Assert.That(refused!["code"]!.GetValue<string>(), Is.EqualTo("four_eyes_required"));
        await page.ReloadAsync();
        await Expect(_resident.CodeFrame).ToHaveAttributeAsync("data-color", "red");
        await Expect(page.Locator("#reasons li[data-code='override']")).ToHaveCountAsync(0);

        await _service.SendAsync(HttpMethod.Post, $"/api/v1/admin/overrides/{overrideId}/approve", approver, null, HttpStatusCode.OK);
        await page.ReloadAsync();

        await Expect(_resident.CodeFrame).ToHaveAttributeAsync("data-color", "green");
        var reason = page.Locator("#reasons li[data-code='override']");
        await Expect(reason).ToContainTextAsync($"卫生健康部门依据 {rule} 人工调整了健康码颜色，有效至 {until}；到期后按赋码规则恢复。");
        await Expect(page.Locator("#reasons li").First).ToHaveAttributeAsync("data-code", "override");
        await Expect(reason.Locator(".dispute-action")).ToHaveCountAsync(0);
        await Expect(page.Locator("#view-code")).Not.ToContainTextAsync(proposerName);
        await Expect(page.Locator("#view-code")).Not.ToContainTextAsync(approverName);
        await Screenshots.SaveAsync(page, "a four-eyes override shown as a reason", "override");
        await page.Locator("#lang-switch").ClickAsync();
        await Expect(reason).ToContainTextAsync($"The health authority set this code's colour by hand under {rule}, until {until}");

        // The audit: the proposal and the approval, both with the override as their target, each under its operator's name.
        var entries = await _service.AuditOfAsync(overrideId);
        Assert.That(entries.Select(e => $"{e["action"]} {e["actor"]!["name"]} {e["outcome"]}"),
            Is.EqualTo(new[] { $"ProposeOverride {proposerName} 201", $"ApproveOverride {approverName} 200" }),
            "the audit names both operators of the override, and the refused approval changed nothing");
        Assert.That(_console.Errors, Is.Empty, "no script errors or policy violations in the browser console");
    }
}
