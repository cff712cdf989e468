// Writes the PWA icons (PNG) from the logo's geometry, with no dependency: a tiny rasteriser with
// 4x4 supersampling and zlib. Run `npm run icons` after changing the mark; the PNGs are committed.
import { mkdirSync, writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const BRAND = [4, 120, 87]; // the primary colour (emerald)
const WHITE = [255, 255, 255];

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y);
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
      raw[o + 3] = a;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

// Shapes in a 32x32 design space (same as the SVG logo).
const roundRect = (x, y, x0, y0, x1, y1, r) => {
  const cx = Math.max(x0 + r, Math.min(x, x1 - r));
  const cy = Math.max(y0 + r, Math.min(y, y1 - r));
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= x0 && x <= x1 && y >= y0 && y <= y1;
};
const inTriangle = (x, y, [ax, ay], [bx, by], [cx, cy]) => {
  const d1 = (x - bx) * (ay - by) - (ax - bx) * (y - by);
  const d2 = (x - cx) * (by - cy) - (bx - cx) * (y - cy);
  const d3 = (x - ax) * (cy - ay) - (cx - ax) * (y - ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
};
const bubble = (x, y) => roundRect(x, y, 9, 7, 23, 20, 3.5) || inTriangle(x, y, [9, 15], [16, 20], [9.5, 24]);
const spark = (x, y) => Math.abs(x - 16) / 3.6 + Math.abs(y - 13.6) / 3.6 <= 1 && Math.abs(x - 16) * Math.abs(y - 13.6) < 1.1;

/** colour at a design-space point; `full` paints a full-bleed background (maskable), else a rounded tile. */
function sample(x, y, full) {
  const inTile = full || roundRect(x, y, 0, 0, 32, 32, 8);
  if (!inTile) return null;
  if (bubble(x, y) && !spark(x, y)) return WHITE;
  return BRAND;
}

function render(size, { full = false, scale = 1 } = {}) {
  const S = 4;
  return png(size, (px, py) => {
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < S; sy++) {
      for (let sx = 0; sx < S; sx++) {
        // Map to design space; maskable icons shrink the mark well inside the 80% safe zone.
        let x = ((px + (sx + 0.5) / S) / size) * 32;
        let y = ((py + (sy + 0.5) / S) / size) * 32;
        x = 16 + (x - 16) * scale;
        y = 16 + (y - 16) * scale;
        const c = full ? (bubble(x, y) && !spark(x, y) ? WHITE : BRAND) : sample(x, y, false);
        if (c) {
          r += c[0];
          g += c[1];
          b += c[2];
          a += 255;
        }
      }
    }
    const n = S * S;
    const alpha = a / n;
    return alpha ? [Math.round(r / (a / 255)), Math.round(g / (a / 255)), Math.round(b / (a / 255)), Math.round(alpha)] : [0, 0, 0, 0];
  });
}

const out = new URL("../public/icons/", import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(new URL("icon-192.png", out), render(192));
writeFileSync(new URL("icon-512.png", out), render(512));
writeFileSync(new URL("maskable-192.png", out), render(192, { full: true, scale: 1.15 }));
writeFileSync(new URL("maskable-512.png", out), render(512, { full: true, scale: 1.15 }));
writeFileSync(new URL("apple-touch-icon.png", out), render(180, { full: true, scale: 1.05 }));
console.log("icons written to public/icons/");
