using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HealthCode.Integration.Tests;

/// <summary>Tests that each open the resident page on a phone of their own, against the shared service, and close it after.</summary>
internal abstract class ResidentPageFixture
{
    protected WatchedPage Opened { get; private set; } = null!;

    protected ResidentPage Resident { get; set; } = null!;

    protected IPage Page => Resident.Page;

    [SetUp]
    public async Task OpenPageAsync()
    {
        SetDefaultExpectTimeout(15_000);
        Opened = await WatchedPage.OpenAsync(ServiceFixture.Browser);
        Resident = new ResidentPage(Opened.Page);
        await Resident.OpenAsync();
    }

    [TearDown]
    public async Task ClosePageAsync() => await Opened.CloseAsync(ServiceFixture.Api.Output);
}
