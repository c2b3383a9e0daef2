// The QR of the code screen, drawn in the browser from the QR text the service signs (`format=text`,
// docs/TOKEN-FORMAT.md §5): the `HC1:/` prefix as an alphanumeric segment and the all-digit body as a numeric
// one, at error correction M, with qrcode-generator from the npm registry (copied to lib/ by the build). Byte
// mode would need version 19 for a typical code; the segments keep it at 12 or less (DESIGN §4.1). The service
// no longer renders an image on every refresh: signing is all a refresh costs it.

import qrcode from '../lib/qrcode-generator/qrcode.mjs';

export const PREFIX = 'HC1:/';

/** The quiet zone the QR specification asks for (ISO/IEC 18004): 4 modules on every side. */
const QUIET_MODULES = 4;

/** The QR symbol of `text`: `{count, version, isDark(row, col)}`. */
export function encodeQr(text) {
    const qr = qrcode(0, 'M');
    const body = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : '';
    if (/^\d+$/.test(body)) {
        qr.addData(PREFIX, 'Alphanumeric');
        qr.addData(body, 'Numeric');
    } else {
        // Not the format this page knows: still drawn, byte by byte.
        qr.addData(text, 'Byte');
    }
    qr.make();
    const count = qr.getModuleCount();
    return { count, version: (count - 17) / 4, isDark: (row, col) => qr.isDark(row, col) };
}

/**
 * Draws `text` on `canvas`, whole device pixels per module so a scanner sees sharp edges; the canvas keeps its
 * CSS size. `data-version` says which QR version it took.
 */
export function drawQr(canvas, text) {
    const symbol = encodeQr(text);
    const modules = symbol.count + 2 * QUIET_MODULES;
    const cssSize = canvas.clientWidth || Number(canvas.getAttribute('width')) || 260;
    const cell = Math.max(1, Math.floor((cssSize * (window.devicePixelRatio || 1)) / modules));
    canvas.width = modules * cell;
    canvas.height = modules * cell;
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.fillStyle = '#000';
    for (let row = 0; row < symbol.count; row += 1) {
        for (let col = 0; col < symbol.count; col += 1) {
            if (symbol.isDark(row, col)) {
                context.fillRect((col + QUIET_MODULES) * cell, (row + QUIET_MODULES) * cell, cell, cell);
            }
        }
    }
    canvas.dataset.version = String(symbol.version);
    return symbol;
}

/**
 * The claims the QR text carries (docs/TOKEN-FORMAT.md §3: `iss`, `exp`, `c`, `n`, `t`, `v`), read without checking
 * the signature: the page only shows what it was just given by its own service over TLS. Null when unreadable.
 */
export function readClaims(text) {
    try {
        const body = text.slice(PREFIX.length);
        let jws = '';
        for (let i = 0; i + 1 < body.length; i += 2) {
            jws += String.fromCharCode(Number(body.slice(i, i + 2)) + 45);
        }
        const payload = jws.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
        const bytes = Uint8Array.from(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, '=')), (c) => c.charCodeAt(0));
        return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
        return null;
    }
}
