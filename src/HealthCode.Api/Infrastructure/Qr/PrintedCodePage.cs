using System.Globalization;
using System.Net;
using System.Text;
using HealthCode.Trust;

namespace HealthCode.Api.Infrastructure.Qr;

/// <summary>
/// The printable card of a family member's longer-lived code (DESIGN §8): one A6 page with the colour
/// large, the QR, the masked name, the ID tail, the issuing province and the time it stops being valid,
/// in Chinese and English (paper has no language switch). The whole card is one inline SVG drawn with
/// presentation attributes only: no script and no style, so it prints the same under the service's
/// Content-Security-Policy, opened from the resident page, saved to a file, or printed from either.
/// </summary>
internal static class PrintedCodePage
{
    private const int Width = 420;
    private const int Height = 594;
    private const int QrSize = 300;

    /// <summary>What the card shows; <c>QrText</c> is the signed token as the QR holds it.</summary>
    public sealed record Card(string QrText, CodeColor Color, string MaskedName, string IdTail, string ProvinceName, DateTimeOffset ExpiresAt);

    public static string Html(Card card)
    {
        var (fill, zh, en) = card.Color switch
        {
            CodeColor.Green => ("#138a36", "绿码", "GREEN"),
            CodeColor.Yellow => ("#f2b900", "黄码", "YELLOW"),
            _ => ("#c62828", "红码", "RED"),
        };
        // China keeps one time zone, UTC+08:00 (China Standard Time); the card says so.
        var until = card.ExpiresAt.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var name = WebUtility.HtmlEncode(card.MaskedName);
        var province = WebUtility.HtmlEncode(card.ProvinceName);
        var tail = WebUtility.HtmlEncode(card.IdTail);
        var qrX = (Width - QrSize) / 2;
        return $"""
            <!doctype html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{province}健康码 · {name}</title>
            </head>
            <body>
            <svg xmlns="http://www.w3.org/2000/svg" width="105mm" height="148.5mm" viewBox="0 0 {Width} {Height}" role="img"
                 aria-label="{province}健康码 {zh} {name} 身份证尾号 {tail} 有效期至 {until}" font-family="sans-serif" text-anchor="middle">
            <rect x="1" y="1" width="{Width - 2}" height="{Height - 2}" rx="16" fill="#ffffff" stroke="{fill}" stroke-width="2"/>
            <text x="{Width / 2}" y="44" font-size="22" fill="#1b1f24">{province}健康码 · Health code</text>
            <rect x="20" y="62" width="{Width - 40}" height="84" rx="12" fill="{fill}" data-color="{card.Color.ToString().ToLowerInvariant()}"/>
            <text x="{Width / 2}" y="120" font-size="46" font-weight="bold" fill="#ffffff">{zh} {en}</text>
            {QrSvg(card.QrText, qrX, 158, QrSize)}
            <text x="{Width / 2}" y="{158 + QrSize + 36}" font-size="26" fill="#1b1f24">{name} · 身份证尾号 {tail}</text>
            <text x="{Width / 2}" y="{158 + QrSize + 70}" font-size="17" fill="#1b1f24">有效期至 {until}（北京时间）</text>
            <text x="{Width / 2}" y="{158 + QrSize + 94}" font-size="14" fill="#505a66">Valid until {until} China Standard Time</text>
            <text x="{Width / 2}" y="{Height - 22}" font-size="12" fill="#505a66">颜色变化后此码即失效，请重新打印 · A colour change voids this card</text>
            </svg>
            </body>
            </html>
            """;
    }

    /// <summary>The QR's dark modules as one path, scaled into a square at (x, y): encoded by QRCoder at level M (DESIGN §4.1).</summary>
    private static string QrSvg(string text, int x, int y, int size)
    {
        using var data = QrRenderer.Encode(text);
        var matrix = data.ModuleMatrix;
        var modules = matrix.Count;
        var path = new StringBuilder();
        for (var row = 0; row < modules; row++)
        {
            for (var column = 0; column < modules; column++)
            {
                if (matrix[row][column])
                {
                    path.Append(CultureInfo.InvariantCulture, $"M{column} {row}h1v1h-1z");
                }
            }
        }

        // The matrix includes the quiet zone; crispEdges keeps module edges sharp on paper.
        return $"""<svg x="{x}" y="{y}" width="{size}" height="{size}" viewBox="0 0 {modules} {modules}" shape-rendering="crispEdges"><rect width="{modules}" height="{modules}" fill="#ffffff"/><path d="{path}" fill="#000000"/></svg>""";
    }
}
