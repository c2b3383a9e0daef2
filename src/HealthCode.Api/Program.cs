using HealthCode.Api.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
builder.AddHealthCode();

var app = builder.Build();
app.UseHealthCode();
app.Run();

/// <summary>The service host; public so that tests can start it with WebApplicationFactory.</summary>
public partial class Program;
