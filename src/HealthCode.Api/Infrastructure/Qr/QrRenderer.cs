using QRCoder;

namespace HealthCode.Api.Infrastructure.Qr;

/// <summary>Renders QR text as PNG or SVG with QRCoder, at error correction M (DESIGN §4.1).</summary>
internal static class QrRenderer
{
    private const int PixelsPerModule = 8;

    public static QRCodeData Encode(string text) =>
        QRCodeGenerator.GenerateQrCode(text, QRCodeGenerator.ECCLevel.M);

    public static byte[] Png(string text)
    {
        using var data = Encode(text);
        return new PngByteQRCode(data).GetGraphic(PixelsPerModule);
    }

    public static string Svg(string text)
    {
        using var data = Encode(text);
        return new SvgQRCode(data).GetGraphic(PixelsPerModule);
    }
}
