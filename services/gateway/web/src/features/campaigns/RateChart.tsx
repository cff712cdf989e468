import { useEffect, useId, useMemo, useRef, useState } from "react";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatNumber, formatTime } from "@/i18n/format";
import { areaPath, frameFor, linePath, type Point, scale, ticks } from "./chart";
import { campaignsMessages } from "./i18n";

const H = 160;

/** The element's width in CSS pixels, followed as it resizes (the chart is drawn at its real size). */
function useWidth<T extends HTMLElement>(fallback: number) {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(([entry]) => entry && setWidth(Math.max(200, Math.round(entry.contentRect.width))));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}
const PAD = { left: 40, right: 8, top: 8, bottom: 22 };

/**
 * Sends per second over time: one small SVG line (no chart library), y axis from 0 to a nice top, a few time
 * labels; and, as every chart here, a table view of the same points.
 */
export function RateChart({ points, current }: { points: Point[]; current: number | null }) {
  const { lang } = useI18n();
  const t = useMessages(campaignsMessages);
  const [asTable, setAsTable] = useState(false);
  const [boxRef, W] = useWidth<HTMLDivElement>(600);
  const titleId = useId();
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const frame = useMemo(() => frameFor(points, innerW, innerH), [points, innerW, innerH]);
  const yTicks = ticks(frame.yMax);
  const xTicks = [0, 1, 2, 3].map((i) => frame.x[0] + ((frame.x[1] - frame.x[0]) * i) / 3);
  const fmt = (v: number) => formatNumber(v, lang, { maximumFractionDigits: v < 10 ? 1 : 0 });

  return (
    <figure className="grid gap-2" aria-labelledby={titleId} data-testid="rate-chart" data-points={points.length}>
      <figcaption className="flex flex-wrap items-center justify-between gap-2">
        <span id={titleId} className="text-sm font-medium">
          {t.live.chart}
        </span>
        <span className="flex items-center gap-3 text-xs text-muted-foreground">
          {current !== null ? <span className="tabular-nums">{t.live.now(fmt(current))}</span> : null}
          {points.length ? (
            <button type="button" className="underline-offset-4 hover:underline" onClick={() => setAsTable((v) => !v)}>
              {asTable ? t.live.chartHide : t.live.chartTable}
            </button>
          ) : null}
        </span>
      </figcaption>
      <div ref={boxRef} className="min-w-0">
      {points.length < 2 && !asTable ? (
        <p className="grid h-40 place-items-center rounded-md border border-dashed text-sm text-muted-foreground">{t.live.chartEmpty}</p>
      ) : asTable ? (
        <div className="max-h-64 overflow-y-auto rounded-md border">
          <table className="w-full text-sm">
            <thead className="sticky top-0 bg-background text-left text-xs text-muted-foreground">
              <tr>
                <th className="px-3 py-1.5 font-medium">{t.live.time}</th>
                <th className="px-3 py-1.5 text-right font-medium">{t.live.perSecond}</th>
              </tr>
            </thead>
            <tbody>
              {[...points].reverse().map((p) => (
                <tr key={p.t} className="border-t">
                  <td className="px-3 py-1 tabular-nums">{new Date(p.t).toLocaleTimeString(lang)}</td>
                  <td className="px-3 py-1 text-right tabular-nums">{fmt(p.v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} className="block" role="img" aria-label={t.live.chart}>
          <g transform={`translate(${PAD.left},${PAD.top})`}>
            {yTicks.map((v) => {
              const y = scale(v, [0, frame.yMax], [innerH, 0]);
              return (
                <g key={v}>
                  <line x1={0} x2={innerW} y1={y} y2={y} className="stroke-border" strokeWidth={1} />
                  <text x={-6} y={y} dy="0.32em" textAnchor="end" className="fill-muted-foreground text-[10px]">
                    {fmt(v)}
                  </text>
                </g>
              );
            })}
            {xTicks.map((tx, i) => (
              <text
                key={i}
                x={scale(tx, frame.x, [0, innerW])}
                y={innerH + 16}
                textAnchor={i === 0 ? "start" : i === 3 ? "end" : "middle"}
                className="fill-muted-foreground text-[10px]"
              >
                {formatTime(new Date(tx), lang)}
              </text>
            ))}
            <path d={areaPath(points, frame)} className="fill-primary/15" />
            <path d={linePath(points, frame)} className="fill-none stroke-primary" strokeWidth={2} strokeLinejoin="round" />
          </g>
        </svg>
      )}
      </div>
    </figure>
  );
}
