using HealthCode.Api.Features.Catalog;

namespace HealthCode.Api.Tests.Catalog;

/// <summary>An entry's update cycle: an ISO 8601 duration of fixed length, between a minute and ten years.</summary>
[TestFixture]
internal sealed class UpdateCyclesTests
{
    [TestCase("P1D", 24 * 3600)]
    [TestCase("PT6H", 6 * 3600)]
    [TestCase("PT30M", 30 * 60)]
    [TestCase("P1DT12H", 36 * 3600)]
    [TestCase("P1W", 7 * 24 * 3600)]
    [TestCase("P2W", 14 * 24 * 3600)]
    [TestCase(" P7D ", 7 * 24 * 3600)]
    [TestCase("P3650D", 3650 * 24 * 3600)]
    public void Accepts_FixedLengthDurations(string text, int seconds)
    {
        Assert.Multiple(() =>
        {
            Assert.That(UpdateCycles.TryParse(text, out var cycle), Is.EqualTo(UpdateCycleError.None));
            Assert.That(cycle, Is.EqualTo(TimeSpan.FromSeconds(seconds)));
        });
    }

    [TestCase(null, UpdateCycleError.Required)]
    [TestCase("  ", UpdateCycleError.Required)]
    [TestCase("daily", UpdateCycleError.Invalid)]
    [TestCase("1D", UpdateCycleError.Invalid)]
    [TestCase("P", UpdateCycleError.Invalid)]
    [TestCase("PT", UpdateCycleError.Invalid)]
    [TestCase("P1D\n1", UpdateCycleError.Invalid)]
    [TestCase("P1W2D", UpdateCycleError.Invalid)]
    [TestCase("P1M", UpdateCycleError.Ambiguous)]
    [TestCase("P1Y", UpdateCycleError.Ambiguous)]
    [TestCase("P0Y1D", UpdateCycleError.Ambiguous)]
    [TestCase("P0D", UpdateCycleError.OutOfRange)]
    [TestCase("PT0S", UpdateCycleError.OutOfRange)]
    [TestCase("PT30S", UpdateCycleError.OutOfRange)]
    [TestCase("-P1D", UpdateCycleError.OutOfRange)]
    [TestCase("P3651D", UpdateCycleError.OutOfRange)]
    [TestCase("P9999W", UpdateCycleError.OutOfRange)]
    public void Refuses_WithItsReason(string? text, UpdateCycleError expected)
    {
        Assert.That(UpdateCycles.TryParse(text, out _), Is.EqualTo(expected));
    }
}
