using System.Text.Json;
using HealthCode.Trust.Keys;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;

// The bare verify endpoint that docs/PERFORMANCE.md measures HTTP verify against (issue 9): Kestrel, and for every
// request on any path, read the JSON body, verify its qr with HealthCode.Trust's HealthCodeVerifier against the
// province's issuer keys, and write the verdict. No authentication, no checkpoint check, no audit, no routing, no
// Mediator, no problem answers: what is left is the floor a scan over HTTP cannot go below on this machine.
//
//   dotnet bench/BareVerify/bin/Release/net10.0/BareVerify.dll --urls http://127.0.0.1:5393 --keys keys-sample/410000
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
using var keys = ProvinceKeys.Load(builder.Configuration["keys"] ?? Path.Combine("keys-sample", "410000"));
var store = new TrustStore();
store.SetOwn("410000", "河南省", keys.Issuers.Select(key => (key, KeyStatus.Active)));
var verifier = new HealthCodeVerifier(store, TimeProvider.System, TimeSpan.FromSeconds(30));
var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);

var app = builder.Build();
app.Run(async context =>
{
    var request = await JsonSerializer.DeserializeAsync<VerifyRequest>(context.Request.Body, json, context.RequestAborted);
    var verdict = Verdict.From(verifier.Verify(request?.Qr ?? ""), store);
    context.Response.ContentType = "application/json; charset=utf-8";
    await context.Response.WriteAsync(Verdict.ToJson(verdict), context.RequestAborted);
});
await app.RunAsync();

/// <summary>The body of <c>POST /api/v1/verify</c>, as the service takes it.</summary>
internal sealed record VerifyRequest(string? Qr, string? CheckpointId);
