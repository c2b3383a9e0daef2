using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace HealthCode.Integration.Tests;

/// <summary>
/// <c>healthcode load verify</c> (issue 3) against the real service process: it counts what the
/// service answered, reports an error when the service refuses, and every scan it made is in the
/// audit chain, which still verifies.
/// </summary>
[TestFixture]
public sealed class LoadToolTests
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Load_verify_counts_valid_answers_and_every_scan_is_audited()
    {
        using var client = new ServiceClient();
        var staff = await client.EnrolStaffAsync("CP-LOAD");
        var before = await AuditAsync(client);

        var (exit, output, errors) = await RunAsync(
            "load", "verify", "--url", ServiceFixture.Api.BaseAddress.ToString(), "--token", staff.Token,
            "--checkpoint", "CP-LOAD", "--seconds", "1", "--warmup", "1", "--concurrency", "4", "--json");

        Assert.That(exit, Is.Zero, $"stdout: {output}\nstderr: {errors}");
        var report = JsonNode.Parse(output)!;
        var requests = report["requests"]!.GetValue<int>();
        Assert.Multiple(() =>
        {
            Assert.That(requests, Is.GreaterThan(0));
            Assert.That(report["warmupRequests"]!.GetValue<int>(), Is.GreaterThan(0));
            Assert.That(report["errors"]!.GetValue<int>(), Is.Zero);
            Assert.That(report["throughputPerSecond"]!.GetValue<double>(), Is.GreaterThan(0));
            Assert.That(report["rawVerifyPerSecond"]!.GetValue<double>(), Is.GreaterThan(0));
            Assert.That(report["p99Ms"]!.GetValue<double>(), Is.GreaterThanOrEqualTo(report["p50Ms"]!.GetValue<double>()));
        });

        // The audit writer batches in the background: wait (bounded) for the load's entries.
        // The warm-up's scans are audited too.
        var expected = before["checked"]!.GetValue<long>() + requests + report["warmupRequests"]!.GetValue<int>();
        var deadline = Stopwatch.StartNew();
        JsonNode after;
        while ((after = await AuditAsync(client))["checked"]!.GetValue<long>() < expected && deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }

        Assert.Multiple(() =>
        {
            Assert.That(after["checked"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(expected));
            Assert.That(after["valid"]!.GetValue<bool>(), Is.True, after.ToJsonString());
        });
    }

    [Test]
    public async Task Load_verify_with_a_revoked_token_reports_the_refusals_and_fails()
    {
        using var client = new ServiceClient();
        var staff = await client.EnrolStaffAsync("CP-LOAD");
        await client.RevokeStaffAsync(staff);

        var (exit, output, errors) = await RunAsync(
            "load", "verify", "--url", ServiceFixture.Api.BaseAddress.ToString(), "--token", staff.Token,
            "--checkpoint", "CP-LOAD", "--seconds", "1", "--warmup", "0", "--concurrency", "2");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1), $"stdout: {output}\nstderr: {errors}");
            Assert.That(output, Does.Contain("error: HTTP 401"));
            Assert.That(output, Does.Not.Contain("errors 0 "));
        });
    }

    [Test]
    public async Task Load_verify_refuses_an_address_off_this_machine()
    {
        var (exit, _, errors) = await RunAsync("load", "verify", "--url", "http://192.0.2.1:80", "--token", "t", "--seconds", "1");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(errors, Does.Contain("on this machine"));
        });
    }

    private static async Task<JsonNode> AuditAsync(ServiceClient client) =>
        (await client.OperatorAsync(HttpMethod.Get, "/api/v1/admin/audit/verify", null, HttpStatusCode.OK))!;

    private static Task<(int Exit, string Output, string Errors)> RunAsync(params string[] args) => HealthCodeCli.RunAsync(CliTimeout, args);
}
