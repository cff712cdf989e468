/**
 * The rate chart's arithmetic (no chart library: one small SVG): a "nice" top for the y axis, its ticks,
 * linear scales, the SVG path, and sends per second from the stats' buckets plus the live samples.
 */
import type { SeriesPoint } from "@/api/campaigns";

export interface Point {
  /** Milliseconds since the epoch. */
  t: number;
  v: number;
}

/** The smallest 1, 2, 2.5 or 5 × 10^k at or above `value` (1 for nothing), so ticks read well. */
export function niceCeil(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const exp = Math.floor(Math.log10(value));
  const base = 10 ** exp;
  for (const step of [1, 2, 2.5, 5, 10]) {
    const candidate = step * base;
    if (candidate >= value - base * 1e-9) return Number(candidate.toPrecision(12));
  }
  return 10 * base;
}

/**
 * Evenly spaced ticks from 0 to the nice top above `max`, `count` + 1 of them; by default as many as make
 * round steps (top 50 → 0, 10 … 50; top 20 → 0, 5 … 20), never 12.5.
 */
export function ticks(max: number, count?: number): number[] {
  const top = niceCeil(max);
  const mantissa = Number((top / 10 ** Math.floor(Math.log10(top))).toPrecision(3));
  const n = count ?? (mantissa === 2 ? 4 : 5);
  return Array.from({ length: n + 1 }, (_, i) => Number(((top * i) / n).toPrecision(12)));
}

/** Maps `value` from [d0, d1] to [r0, r1]; a zero-width domain maps to the middle of the range. */
export function scale(value: number, [d0, d1]: [number, number], [r0, r1]: [number, number]): number {
  if (d1 === d0) return (r0 + r1) / 2;
  return r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}

export interface Frame {
  width: number;
  height: number;
  /** Time domain (ms). */
  x: [number, number];
  /** Top of the y axis (bottom is 0). */
  yMax: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The SVG path ("M x y L x y …") of the points in the frame; y grows downwards in SVG. */
export function linePath(points: Point[], frame: Frame): string {
  return points
    .map((p, i) => {
      const x = round(scale(p.t, frame.x, [0, frame.width]));
      const y = round(scale(Math.min(p.v, frame.yMax), [0, frame.yMax], [frame.height, 0]));
      return `${i === 0 ? "M" : "L"}${x} ${y}`;
    })
    .join(" ");
}

/** The same line closed down to the x axis (the filled area under it). */
export function areaPath(points: Point[], frame: Frame): string {
  if (points.length === 0) return "";
  const line = linePath(points, frame);
  const first = round(scale(points[0]!.t, frame.x, [0, frame.width]));
  const last = round(scale(points[points.length - 1]!.t, frame.x, [0, frame.width]));
  return `${line} L${last} ${frame.height} L${first} ${frame.height} Z`;
}

/** The buckets' width in seconds: the most common gap between them (10 s when there is only one). */
export function bucketSeconds(series: SeriesPoint[]): number {
  const gaps = new Map<number, number>();
  for (let i = 1; i < series.length; i++) {
    const gap = Math.round((Date.parse(series[i]!.t) - Date.parse(series[i - 1]!.t)) / 1000);
    if (gap > 0) gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
  }
  let best = 10;
  let seen = 0;
  for (const [gap, n] of gaps) if (n > seen || (n === seen && gap < best)) [best, seen] = [gap, n];
  return best;
}

/** Sends per second of each bucket (sent + failed moved in it, over its width), at the bucket's start. */
export function ratesFromSeries(series: SeriesPoint[], widthS?: number): Point[] {
  const width = widthS && widthS > 0 ? widthS : bucketSeconds(series);
  return series
    .map((b) => ({ t: Date.parse(b.t), v: (b.sent + b.failed) / width }))
    .filter((p) => Number.isFinite(p.t))
    .sort((a, b) => a.t - b.t);
}

/**
 * The line to draw: the stats' buckets, then the live samples newer than the last bucket's end, at most
 * `windowMs` back from the newest point.
 */
export function combineRates(buckets: Point[], live: Point[], bucketMs: number, windowMs = 15 * 60_000): Point[] {
  const lastBucketEnd = buckets.length ? buckets[buckets.length - 1]!.t + bucketMs : -Infinity;
  const merged = [...buckets, ...live.filter((p) => p.t >= lastBucketEnd)].sort((a, b) => a.t - b.t);
  if (merged.length === 0) return merged;
  const newest = merged[merged.length - 1]!.t;
  return merged.filter((p) => p.t >= newest - windowMs);
}

/** The frame for a set of points: their time span (at least a minute) and a nice y top. */
export function frameFor(points: Point[], width: number, height: number): Frame {
  if (points.length === 0) return { width, height, x: [0, 60_000], yMax: 1 };
  const t0 = points[0]!.t;
  const t1 = Math.max(points[points.length - 1]!.t, t0 + 60_000);
  return { width, height, x: [t0, t1], yMax: niceCeil(Math.max(...points.map((p) => p.v))) };
}
