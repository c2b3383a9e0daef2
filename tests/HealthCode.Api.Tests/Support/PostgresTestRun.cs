namespace HealthCode.Api.Tests;

/// <summary>
/// In the namespace every test of this assembly is under, so it wraps them all: stops the private PostgreSQL cluster
/// once, after the last test, if a test started it (<see cref="Support.PostgresServer.Shared"/> starts it at its first
/// use, so a run that needs none never starts one).
/// </summary>
[SetUpFixture]
internal sealed class PostgresTestRun
{
    [OneTimeTearDown]
    public void StopPostgres() => Support.PostgresServer.StopShared();
}
