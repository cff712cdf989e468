import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** WCAG 2.2 AA for the theme's colour pairs: text 4.5:1, control borders and focus ring 3:1, both themes. */
const css = readFileSync(new URL("./index.css", import.meta.url), "utf8");

function variables(block: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const match of block.matchAll(/--([\w-]+):\s*oklch\(([^)]+)\)/g)) out[match[1]!] = match[2]!.trim().split(/\s+/).map(Number);
  return out;
}

const light = variables(css.slice(css.indexOf(":root"), css.indexOf(".dark {")));
const dark = { ...light, ...variables(css.slice(css.indexOf(".dark {"), css.indexOf("@theme"))) };

function luminance([L, C, h]: number[]): number {
  const a = C! * Math.cos((h! * Math.PI) / 180);
  const b = C! * Math.sin((h! * Math.PI) / 180);
  const l = (L! + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m = (L! - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (L! - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const r = clamp(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s);
  const g = clamp(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s);
  const bl = clamp(-0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s);
  return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
}

function contrast(a: number[], b: number[]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const TEXT: [string, string][] = [
  ["foreground", "background"],
  ["muted-foreground", "background"],
  ["muted-foreground", "muted"],
  ["muted-foreground", "sidebar"],
  ["muted-foreground", "accent"],
  ["muted-foreground", "bubble-in"],
  ["muted-foreground", "bubble-out"],
  ["muted-foreground", "thread"],
  ["foreground", "bubble-out"],
  ["primary-foreground", "primary"],
  ["primary", "background"],
  ["primary", "accent"],
  ["accent-foreground", "accent"],
  ["destructive", "background"],
  ["destructive-foreground", "destructive"],
  ["sidebar-foreground", "sidebar"],
  ["sidebar-accent-foreground", "sidebar-accent"],
  ["secondary-foreground", "secondary"],
];
const NON_TEXT: [string, string][] = [
  ["input", "background"],
  ["ring", "background"],
  ["success", "background"],
  ["warning", "background"],
];

describe.each([
  ["light", light],
  ["dark", dark],
])("%s theme", (_name, theme) => {
  it.each(TEXT)("%s on %s reads at 4.5:1 or more", (fg, bg) => {
    expect(contrast(theme[fg]!, theme[bg]!)).toBeGreaterThanOrEqual(4.5);
  });
  it.each(NON_TEXT)("%s on %s stands out at 3:1 or more", (fg, bg) => {
    expect(contrast(theme[fg]!, theme[bg]!)).toBeGreaterThanOrEqual(3);
  });
});
