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
}
catch (Exception ex) when (SettingsProblems.Describe(ex, builder.Configuration) is { } problems)
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

/// <summary>The service host; public so that tests can start it with WebApplicationFactory.</summary>
public partial class Program;
