using SkiaSharp;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace HealthCode.Cli.Commands;

/// <summary>Reads the text of the QR code in an image file (PNG, or anything else SkiaSharp decodes) with ZXing.</summary>
internal static class QrImage
{
    // A photo of a code is a few megabytes at most; bound the work on a hostile or mistaken file.
    private const long MaxFileBytes = 32L * 1024 * 1024;
    private const int MaxPixels = 40_000_000;

    public static bool TryRead(string path, out string text, out string error)
    {
        text = string.Empty;
        if (new FileInfo(path).Length > MaxFileBytes)
        {
            error = $"{path} is larger than {MaxFileBytes / (1024 * 1024)} MB.";
            return false;
        }

        using SKBitmap? bitmap = SKBitmap.Decode(path);
        if (bitmap is null)
        {
            error = $"{path} is not an image SkiaSharp can decode.";
            return false;
        }

        if ((long)bitmap.Width * bitmap.Height > MaxPixels)
        {
            error = $"{path} has more than {MaxPixels} pixels.";
            return false;
        }

        var source = new RGBLuminanceSource(Luminance(bitmap), bitmap.Width, bitmap.Height, RGBLuminanceSource.BitmapFormat.Gray8);
        var hints = new Dictionary<DecodeHintType, object>
        {
            [DecodeHintType.TRY_HARDER] = true,
            [DecodeHintType.POSSIBLE_FORMATS] = new List<BarcodeFormat> { BarcodeFormat.QR_CODE },
        };

        var image = new BinaryBitmap(new HybridBinarizer(source));
        // ZXing's finder-pattern search misses about 3 in 100 clean version-12 codes (the service's PNG,
        // a screenshot); such an image is the code and its quiet zone alone, which PURE_BARCODE reads.
        Result? result = new QRCodeReader().decode(image, hints)
            ?? new QRCodeReader().decode(image, new Dictionary<DecodeHintType, object>(hints) { [DecodeHintType.PURE_BARCODE] = true });
        if (result?.Text is null)
        {
            error = $"no QR code found in {path}.";
            return false;
        }

        text = result.Text;
        error = string.Empty;
        return true;
    }

    /// <summary>ITU-R BT.601 luma of each pixel, transparent pixels composed over white (as a QR on a page).</summary>
    private static byte[] Luminance(SKBitmap bitmap)
    {
        SKColor[] pixels = bitmap.Pixels;
        byte[] luminance = new byte[pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            SKColor c = pixels[i];
            int y = ((c.Red * 299) + (c.Green * 587) + (c.Blue * 114)) / 1000;
            luminance[i] = (byte)(((y * c.Alpha) + (255 * (255 - c.Alpha))) / 255);
        }

        return luminance;
    }
}
