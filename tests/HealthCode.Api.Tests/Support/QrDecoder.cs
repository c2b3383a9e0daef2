using SkiaSharp;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace HealthCode.Api.Tests.Support;

/// <summary>
/// A real QR decoder: ZXing over the pixels SkiaSharp decodes from the PNG. ZXing's finder-pattern
/// search misses about 3 in 100 of the service's clean version-12 codes; those are read as the pure
/// image they are (PURE_BARCODE), as <c>healthcode verify</c> does.
/// </summary>
internal static class QrDecoder
{
    public static string? Decode(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png) ?? throw new InvalidOperationException("Not a PNG the decoder can read.");
        var width = bitmap.Width;
        var height = bitmap.Height;
        var luminance = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                // ITU-R BT.601 luma; transparent pixels count as white paper.
                luminance[(y * width) + x] = c.Alpha == 0 ? (byte)255 : (byte)(((c.Red * 299) + (c.Green * 587) + (c.Blue * 114)) / 1000);
            }
        }

        var image = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(luminance, width, height, RGBLuminanceSource.BitmapFormat.Gray8)));
        var hints = new Dictionary<DecodeHintType, object> { [DecodeHintType.TRY_HARDER] = true };
        return new QRCodeReader().decode(image, hints)?.Text
            ?? new QRCodeReader().decode(image, new Dictionary<DecodeHintType, object>(hints) { [DecodeHintType.PURE_BARCODE] = true })?.Text;
    }
}
