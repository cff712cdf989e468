/** Small pieces the campaign and cadence pages share: area tabs, state badge, the stacked progress bar. */
import type { ReactNode } from "react";
import { NavLink } from "react-router";
import type { RecipientCounts } from "@/api/campaigns";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatNumber } from "@/i18n/format";
import { cn } from "@/lib/utils";
import { campaignsMessages } from "./i18n";
import { countsOf, progressOf } from "./live";

/** Campanhas | Cadências, under the page title. */
export function AreaTabs() {
  const t = useMessages(campaignsMessages);
  const tabs = [
    { to: "/campaigns", label: t.tabs.campaigns, end: true },
    { to: "/campaigns/cadences", label: t.tabs.cadences, end: false },
  ];
  return (
    <nav aria-label={t.tabs.label} className="flex gap-1 border-b">
      {tabs.map((tab) => (
        <NavLink
          key={tab.to}
          to={tab.to}
          end={tab.end}
          className={({ isActive }) =>
            cn(
              "-mb-px border-b-2 px-3 py-2 text-sm font-medium text-muted-foreground hover:text-foreground",
              isActive ? "border-primary text-foreground" : "border-transparent",
            )
          }
        >
          {tab.label}
        </NavLink>
      ))}
    </nav>
  );
}

const STATE_DOT: Record<string, string> = {
  draft: "bg-muted-foreground",
  scheduled: "bg-sky-600 dark:bg-sky-400",
  running: "bg-primary animate-pulse",
  active: "bg-primary",
  paused: "bg-warning",
  completed: "bg-success",
  cancelled: "bg-destructive",
  stopped: "bg-destructive",
};

/** A state as a word with a coloured dot (the word carries the meaning; the colour only helps the eye). */
export function StateBadge({ state, label, className }: { state: string; label: string; className?: string }) {
  return (
    <span
      className={cn("inline-flex w-fit shrink-0 items-center gap-1.5 whitespace-nowrap rounded-full border px-2 py-0.5 text-xs font-medium", className)}
      data-testid="state-badge"
      data-state={state}
    >
      <span aria-hidden="true" className={cn("size-2 rounded-full", STATE_DOT[state] ?? "bg-muted-foreground")} />
      {label}
    </span>
  );
}

const SEGMENTS: { key: keyof RecipientCounts; className: string }[] = [
  { key: "read", className: "bg-success" },
  { key: "delivered", className: "bg-success/70" },
  { key: "sent", className: "bg-primary" },
  { key: "failed", className: "bg-destructive" },
  { key: "unknown", className: "bg-warning" },
  { key: "skipped", className: "bg-muted-foreground/50" },
  { key: "cancelled", className: "bg-muted-foreground/30" },
];

/**
 * The progress bar: processed recipients over all, in colours per outcome (read, delivered, sent, failed,
 * uncertain, skipped, cancelled). role="progressbar" with the processed percentage.
 */
export function CampaignProgress({
  counts,
  state,
  label,
  size = "md",
  className,
}: {
  counts: RecipientCounts | null | undefined;
  state?: string;
  label: string;
  size?: "sm" | "md";
  className?: string;
}) {
  const c = countsOf(counts);
  const progress = progressOf(c, state as never);
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={progress.percent}
      data-testid="campaign-progress"
      data-percent={progress.percent}
      className={cn("flex w-full overflow-hidden rounded-full bg-muted", size === "sm" ? "h-1.5" : "h-3", className)}
    >
      {c.total > 0
        ? SEGMENTS.map(({ key, className: color }) => {
            const value = c[key];
            if (!value) return null;
            return <span key={key} className={cn("h-full transition-[width] duration-500", color)} style={{ width: `${(value * 100) / c.total}%` }} />;
          })
        : state === "completed"
          ? <span className="h-full w-full bg-success" />
          : null}
    </div>
  );
}

/** A labelled number (counts, rates). */
export function Stat({ label, value, hint, testId }: { label: ReactNode; value: ReactNode; hint?: ReactNode; testId?: string }) {
  return (
    <div className="grid content-start gap-0.5 rounded-lg border p-3" data-testid={testId}>
      <span className="text-xs font-medium text-muted-foreground">{label}</span>
      <span className="text-lg font-semibold tabular-nums sm:text-xl">{value}</span>
      {hint ? <span className="text-xs text-muted-foreground">{hint}</span> : null}
    </div>
  );
}

/** The number in the user's language (a hook-free helper for tables). */
export function useNumber(): (n: number | null | undefined) => string {
  const { lang } = useI18n();
  return (n) => (n === null || n === undefined ? "—" : formatNumber(n, lang));
}
