import { gzipSync } from "node:zlib";
import type { Plugin, Rollup } from "vite";

type OutputBundle = Rollup.OutputBundle;
type OutputChunk = Rollup.OutputChunk;

/** Files of `public/` the service worker also keeps for offline starts (hashed assets are added at build). */
const PUBLIC_SHELL = [
  "/",
  "/boot.js",
  "/manifest.webmanifest",
  "/favicon.svg",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
];

const PLACEHOLDER = "__MASTERIA_PRECACHE__";

function hashText(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0).toString(36);
}

/**
 * The service worker is an extra entry (`src/sw/sw.ts` → `/sw.js`, unhashed so its URL is stable);
 * once every other file is known, the list of files to precache replaces a placeholder in it.
 */
export function serviceWorker(): Plugin {
  return {
    name: "masteria:service-worker",
    apply: "build",
    enforce: "post",
    generateBundle(_options, bundle) {
      const sw = Object.values(bundle).find(
        (file): file is OutputChunk => file.type === "chunk" && file.fileName === "sw.js",
      );
      if (!sw) {
        this.error("sw.js was not built");
        return;
      }
      const assets = Object.keys(bundle)
        .filter((name) => name !== "sw.js" && name !== "index.html" && !name.endsWith(".map"))
        .filter((name) => !name.startsWith("assets/sw-"))
        .map((name) => `/${name}`)
        .sort();
      const urls = [...PUBLIC_SHELL, ...assets];
      const manifest = JSON.stringify({ version: hashText(urls.join("\n")), urls });
      if (!sw.code.includes(PLACEHOLDER)) {
        this.error(`sw.js lost its ${PLACEHOLDER} placeholder`);
      }
      sw.code = sw.code.replace(new RegExp(`["']${PLACEHOLDER}["']`), () => manifest);
    },
  };
}

function initialChunks(bundle: OutputBundle): OutputChunk[] {
  const chunks = new Map<string, OutputChunk>();
  for (const file of Object.values(bundle)) {
    if (file.type === "chunk") chunks.set(file.fileName, file);
  }
  const seen = new Set<string>();
  const queue = [...chunks.values()].filter((c) => c.isEntry && c.fileName !== "sw.js").map((c) => c.fileName);
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const imported of chunks.get(name)?.imports ?? []) queue.push(imported);
  }
  return [...seen].map((name) => chunks.get(name)!).filter(Boolean);
}

/** Prints the gzipped size of the JavaScript the first page load needs and fails the build over budget. */
export function initialJsBudget(limitKb: number): Plugin {
  return {
    name: "masteria:initial-js-budget",
    apply: "build",
    enforce: "post",
    generateBundle(_options, bundle) {
      const chunks = initialChunks(bundle);
      const sizes = chunks.map((c) => ({ name: c.fileName, gz: gzipSync(c.code, { level: 9 }).length }));
      const total = sizes.reduce((sum, s) => sum + s.gz, 0);
      const kb = (n: number) => (n / 1024).toFixed(1);
      const lines = sizes.sort((a, b) => b.gz - a.gz).map((s) => `    ${s.name}  ${kb(s.gz)} kB gzip`);
      this.info(`initial JS: ${kb(total)} kB gzip (budget ${limitKb} kB)\n${lines.join("\n")}`);
      if (total > limitKb * 1024) {
        this.error(`initial JS is ${kb(total)} kB gzipped, over the ${limitKb} kB budget: lazy-load more`);
      }
    },
  };
}
