// The JavaScript the first page load needs (entry module + modulepreloads in dist/index.html), gzipped.
// Same rule as bench/dashboard.py; the build itself fails over 250 kB (build/plugins.ts).
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const dist = new URL("../dist/", import.meta.url);
const html = readFileSync(new URL("index.html", dist), "utf8");
const paths = [
  ...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
  ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
].map((m) => m[1]);
let raw = 0;
let gz = 0;
for (const path of new Set(paths)) {
  const bytes = readFileSync(new URL(path.replace(/^\//, ""), dist));
  const zipped = gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gz += zipped;
  console.log(`${path}  ${(bytes.length / 1024).toFixed(1)} kB  ${(zipped / 1024).toFixed(1)} kB gzip`);
}
console.log(`initial JS: ${(raw / 1024).toFixed(1)} kB, ${(gz / 1024).toFixed(1)} kB gzip`);
