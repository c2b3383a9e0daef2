using BenchmarkDotNet.Attributes;
using HealthCode.Api.Infrastructure.Qr;
using QRCoder;

namespace HealthCode.Benchmarks;

/// <summary>Rendering the QR: PNG and SVG against QRCoder's bare encoding of the same text into modules.</summary>
[MemoryDiagnoser]
public class QrRenderBenchmarks
{
    private string qrText = null!;

    [GlobalSetup]
    public void Setup() => qrText = Samples.TypicalQrText();

    [Benchmark(Baseline = true, Description = "QRCoder encode only (ECC M)")]
    public int EncodeOnly()
    {
        using var data = QRCodeGenerator.GenerateQrCode(qrText, QRCodeGenerator.ECCLevel.M);
        return data.Version;
    }

    [Benchmark(Description = "QrRenderer.Png")]
    public byte[] Png() => QrRenderer.Png(qrText);

    [Benchmark(Description = "QrRenderer.Svg")]
    public string Svg() => QrRenderer.Svg(qrText);
}
