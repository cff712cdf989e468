import { describe, expect, it } from "vitest";
import { areaPath, bucketSeconds, combineRates, frameFor, linePath, niceCeil, ratesFromSeries, scale, ticks } from "./chart";

describe("rate chart scaling", () => {
  it("rounds the y axis top up to 1, 2, 2.5 or 5 × 10^k", () => {
    expect(niceCeil(0)).toBe(1);
    expect(niceCeil(0.3)).toBe(0.5);
    expect(niceCeil(7)).toBe(10);
    expect(niceCeil(10)).toBe(10);
    expect(niceCeil(11)).toBe(20);
    expect(niceCeil(21)).toBe(25);
    expect(niceCeil(980)).toBe(1000);
    expect(niceCeil(1001)).toBe(2000);
    expect(niceCeil(Number.NaN)).toBe(1);
  });

  it("spaces ticks evenly from zero to the nice top", () => {
    expect(ticks(870)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(ticks(45)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(ticks(18)).toEqual([0, 5, 10, 15, 20]);
    expect(ticks(22)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(ticks(0.4)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(ticks(3, 2)).toEqual([0, 2.5, 5]);
  });

  it("maps values linearly and a zero-width domain to the middle", () => {
    expect(scale(5, [0, 10], [0, 100])).toBe(50);
    expect(scale(0, [0, 10], [100, 0])).toBe(100);
    expect(scale(3, [3, 3], [0, 100])).toBe(50);
  });

  it("draws a path in SVG coordinates (y down), capped at the top", () => {
    const frame = { width: 100, height: 50, x: [0, 10] as [number, number], yMax: 10 };
    expect(linePath([{ t: 0, v: 0 }, { t: 5, v: 10 }, { t: 10, v: 20 }], frame)).toBe("M0 50 L50 0 L100 0");
    expect(areaPath([{ t: 0, v: 5 }, { t: 10, v: 5 }], frame)).toBe("M0 25 L100 25 L100 50 L0 50 Z");
    expect(areaPath([], frame)).toBe("");
  });

  it("turns buckets into sends per second using the bucket width", () => {
    const series = [
      { t: "2025-01-01T12:00:00Z", sent: 90, delivered: 0, read: 0, failed: 10 },
      { t: "2025-01-01T12:00:10Z", sent: 200, delivered: 0, read: 0, failed: 0 },
      { t: "2025-01-01T12:00:20Z", sent: 50, delivered: 0, read: 0, failed: 0 },
    ];
    expect(bucketSeconds(series)).toBe(10);
    expect(ratesFromSeries(series).map((p) => p.v)).toEqual([10, 20, 5]);
    expect(ratesFromSeries(series, 20).map((p) => p.v)).toEqual([5, 10, 2.5]);
    expect(bucketSeconds([series[0]!])).toBe(10);
    expect(bucketSeconds([{ ...series[0]! }, { ...series[1]!, t: "2025-01-01T12:01:00Z" }])).toBe(60);
  });

  it("adds live samples after the last bucket and keeps a window", () => {
    const buckets = [{ t: 0, v: 1 }, { t: 10_000, v: 2 }];
    const live = [{ t: 5_000, v: 9 }, { t: 20_000, v: 3 }, { t: 21_000, v: 4 }];
    expect(combineRates(buckets, live, 10_000)).toEqual([{ t: 0, v: 1 }, { t: 10_000, v: 2 }, { t: 20_000, v: 3 }, { t: 21_000, v: 4 }]);
    expect(combineRates(buckets, live, 10_000, 11_000)).toEqual([{ t: 10_000, v: 2 }, { t: 20_000, v: 3 }, { t: 21_000, v: 4 }]);
    expect(combineRates([], [], 10_000)).toEqual([]);
  });

  it("frames at least a minute and a nice top", () => {
    expect(frameFor([{ t: 1000, v: 7 }], 300, 100)).toEqual({ width: 300, height: 100, x: [1000, 61_000], yMax: 10 });
    expect(frameFor([], 300, 100).yMax).toBe(1);
  });
});
