namespace HealthCode.Api.Tests.Support;

/// <summary>
/// A fixture whose tests share one service of their own (a real Kestrel over a fresh SQLite file), started before the
/// first test and stopped after the last; each test keeps apart from the others by the residents and names it makes.
/// </summary>
internal abstract class ServiceFixture
{
    protected HealthCodeFactory factory = null!;
    protected HttpClient client = null!;

    [OneTimeSetUp]
    public void StartService()
    {
        factory = new HealthCodeFactory();
        client = factory.CreateClient();
    }

    [OneTimeTearDown]
    public void StopService()
    {
        client.Dispose();
        factory.Dispose();
    }
}
