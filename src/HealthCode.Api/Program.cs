using System.Reflection;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Settings;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.AddHealthCode();

WebApplication app;
try
{
    app = builder.Build();
    app.UseHealthCode();

    // ValidateOnStart's checks, run here rather than inside Run(): there the host logs a failure with its stack trace
    // before it rethrows, and a bad setting deserves one line naming it.
    app.Services.GetRequiredService<IStartupValidator>().Validate();
    // The keys' checks too (a folder that is not there, a sample key outside Development, the operator key), for the same reason.
    StartupChecks.LoadKeys(app.Services, builder.Configuration);
}
catch (Exception ex) when (RunAsProcess() && SettingsProblems.Describe(ex, builder.Configuration) is { } problems)
{
    foreach (string problem in problems)
    {
        Console.Error.WriteLine($"HealthCode cannot start: {problem}");
    }

    // EX_CONFIG (sysexits.h): a supervisor tells a configuration error from a crash, and restarting will not help.
    return 78;
}

app.Run();
return 0;

// Run as the process (dotnet HealthCode.Api.dll), not hosted by a test's WebApplicationFactory, which learns of a failed
// start from the exception itself.
static bool RunAsProcess() => Assembly.GetEntryAssembly() == typeof(Program).Assembly;

/// <summary>The service host; public so that tests can start it with WebApplicationFactory.</summary>
public partial class Program;
