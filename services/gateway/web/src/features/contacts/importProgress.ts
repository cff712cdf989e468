/**
 * A contact import's progress as the dialog shows it, from two sources that race: `contact.import_progressed`
 * events (live) and GET /api/v1/contacts/imports/{id} (the fallback poll). Whichever arrives, the bar only
 * moves forward and a finished import stays finished.
 */

export type ImportPhase = "queued" | "running" | "completed" | "failed";

export interface ImportProgress {
  import_id: string;
  state: ImportPhase;
  total_rows: number;
  processed_rows: number;
  imported_rows: number;
  failed_rows: number;
  /** When the server last reported (ISO). */
  at?: string | null;
  error?: string | null;
}

const TERMINAL: ImportPhase[] = ["completed", "failed"];

export const isFinished = (p: ImportProgress | null | undefined) => Boolean(p && TERMINAL.includes(p.state));

function num(...values: unknown[]): number {
  for (const v of values) if (typeof v === "number" && Number.isFinite(v)) return v;
  return 0;
}

/** An event's data or a poll's body (either naming: total_rows / total) as an ImportProgress. */
export function toProgress(raw: Record<string, unknown>, fallbackId = ""): ImportProgress {
  const state = String(raw.state ?? raw.status ?? "running").toLowerCase();
  return {
    import_id: String(raw.import_id ?? raw.id ?? fallbackId),
    state: (["queued", "running", "completed", "failed"].includes(state) ? state : state === "pending" ? "queued" : "running") as ImportPhase,
    total_rows: num(raw.total_rows, raw.total),
    processed_rows: num(raw.processed_rows, raw.processed),
    imported_rows: num(raw.imported_rows, raw.imported),
    failed_rows: num(raw.failed_rows, raw.failed),
    at: (raw.occurred_at ?? raw.updated_at ?? null) as string | null,
    error: (raw.error ?? raw.detail ?? null) as string | null,
  };
}

/**
 * The newer of two reports: a finished import is never reopened by a late "running" report, and counts never
 * go down (events and polls can arrive in any order).
 */
export function reduceImport(current: ImportProgress | null | undefined, next: ImportProgress): ImportProgress {
  if (!current || current.import_id !== next.import_id) return next;
  if (isFinished(current) && !isFinished(next)) return current;
  const finishing = isFinished(next);
  return {
    ...current,
    ...next,
    state: finishing ? next.state : current.state === "queued" ? next.state : current.state,
    total_rows: Math.max(current.total_rows, next.total_rows),
    // The final report's counts are the truth; until then, the larger count is the more recent.
    processed_rows: finishing ? next.processed_rows : Math.max(current.processed_rows, next.processed_rows),
    imported_rows: finishing ? next.imported_rows : Math.max(current.imported_rows, next.imported_rows),
    failed_rows: finishing ? next.failed_rows : Math.max(current.failed_rows, next.failed_rows),
  };
}

/** 0..100 for the progress bar; a finished import is full whatever its counts. */
export function percent(progress: ImportProgress | null | undefined): number {
  if (!progress) return 0;
  if (progress.state === "completed") return 100;
  if (progress.total_rows <= 0) return 0;
  return Math.min(100, Math.floor((progress.processed_rows / progress.total_rows) * 100));
}
