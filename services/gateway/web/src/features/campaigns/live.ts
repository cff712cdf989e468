/**
 * Live campaign events (campaign.progressed about once a second while sending, campaign.state_changed on
 * every change) applied to the cached campaign, its stats and the list. Pure: the app-wide feed (src/live)
 * hands them to liveCache.ts, which applies them to TanStack Query; tests run them on plain data.
 */
import type { Campaign, CampaignState, CampaignStats, Page, RecipientCounts } from "@/api/campaigns";

export interface CampaignProgressed {
  campaign_id: string;
  state: CampaignState;
  counts: RecipientCounts;
  sent_per_second: number;
  occurred_at: string;
}

export interface CampaignStateChanged {
  campaign_id: string;
  name?: string;
  channel?: string;
  state: CampaignState;
  previous_state?: CampaignState | null;
  counts: RecipientCounts;
  occurred_at: string;
}

export type CampaignEvent =
  | { type: "campaign.progressed"; data: CampaignProgressed }
  | { type: "campaign.state_changed"; data: CampaignStateChanged };

export const CAMPAIGN_EVENT_TYPES = ["campaign.progressed", "campaign.state_changed"] as const;

/** A cached campaign remembers the time of the last event applied to it, so a late event never undoes a newer one. */
export type LiveCampaign = Campaign & { live_at?: string };
export type LiveStats = CampaignStats & { live_at?: string };

export const EMPTY_COUNTS: RecipientCounts = {
  total: 0,
  pending: 0,
  queued: 0,
  sent: 0,
  delivered: 0,
  read: 0,
  failed: 0,
  unknown: 0,
  skipped: 0,
  cancelled: 0,
  replied: 0,
};

export function countsOf(partial: Partial<RecipientCounts> | null | undefined): RecipientCounts {
  return { ...EMPTY_COUNTS, ...(partial ?? {}) };
}

const isNewer = (current: string | undefined, next: string) => !current || Date.parse(next) >= Date.parse(current);

/** Recipients whose outcome is settled or no longer ours to wait for (not pending, not queued). */
export function processed(counts: RecipientCounts): number {
  return Math.max(0, counts.total - counts.pending - counts.queued);
}

export interface Progress {
  done: number;
  total: number;
  /** 0..100, floor (100 only when every recipient is processed). */
  percent: number;
}

/** How far the campaign is: processed over total; a finished campaign with no recipients is at 100 %. */
export function progressOf(counts: RecipientCounts | null | undefined, state?: CampaignState): Progress {
  const c = countsOf(counts);
  const done = processed(c);
  if (c.total === 0) return { done: 0, total: 0, percent: state === "completed" ? 100 : 0 };
  return { done, total: c.total, percent: Math.min(100, Math.floor((done * 100) / c.total)) };
}

export interface Rates {
  /** Of the messages that reached the channel (sent or beyond, or failed), the share delivered or read. */
  delivery: number | null;
  read: number | null;
  reply: number | null;
}

/** Rates from counts (the server's stats have their own; these follow live events between reads). */
export function ratesOf(counts: RecipientCounts): Rates {
  const delivered = counts.delivered + counts.read;
  const reached = counts.sent + delivered + counts.failed + counts.unknown;
  return {
    delivery: reached ? delivered / reached : null,
    read: delivered ? counts.read / delivered : null,
    reply: reached ? counts.replied / reached : null,
  };
}

/** The event's counts and state on a cached campaign, if the event is not older than the last one applied. */
export function applyToCampaign(campaign: LiveCampaign | undefined, event: CampaignEvent): LiveCampaign | undefined {
  if (!campaign || campaign.id !== event.data.campaign_id) return campaign;
  if (!isNewer(campaign.live_at, event.data.occurred_at)) return campaign;
  const next: LiveCampaign = { ...campaign, counts: countsOf(event.data.counts), state: event.data.state, live_at: event.data.occurred_at };
  if (event.type === "campaign.state_changed") {
    const at = event.data.occurred_at;
    if (event.data.state === "paused") next.paused_at = at;
    if (event.data.state === "running" && !campaign.launched_at) next.launched_at = at;
    if (event.data.state === "completed" || event.data.state === "cancelled") next.completed_at = campaign.completed_at ?? at;
  }
  return next;
}

/** The event's counts on cached stats, the rates recomputed from them (the next read brings the server's). */
export function applyToStats(stats: LiveStats | undefined, event: CampaignEvent): LiveStats | undefined {
  if (!stats || !isNewer(stats.live_at, event.data.occurred_at)) return stats;
  const counts = countsOf(event.data.counts);
  const r = ratesOf(counts);
  return { ...stats, counts, delivery_rate: r.delivery, read_rate: r.read, reply_rate: r.reply, live_at: event.data.occurred_at };
}

/** The event on every page of a cached list that has the campaign; `found: false` when none has it. */
export function applyToList(
  data: { pages: Page<LiveCampaign>[]; pageParams: unknown[] } | undefined,
  event: CampaignEvent,
): { data: typeof data; found: boolean } {
  if (!data) return { data, found: false };
  let found = false;
  let changed = false;
  const pages = data.pages.map((page) => ({
    ...page,
    items: page.items.map((c) => {
      if (c.id !== event.data.campaign_id) return c;
      found = true;
      const next = applyToCampaign(c, event)!;
      if (next !== c) changed = true;
      return next;
    }),
  }));
  return { data: changed ? { ...data, pages } : data, found };
}

export interface RateSample {
  t: number;
  v: number;
}

/** Adds a live sample (sends per second at a time), keeping `keepMs` of them, in time order, one per instant. */
export function pushSample(samples: RateSample[], sample: RateSample, keepMs = 15 * 60_000): RateSample[] {
  const kept = samples.filter((s) => s.t !== sample.t && s.t >= sample.t - keepMs);
  return [...kept, sample].sort((a, b) => a.t - b.t);
}

export function isCampaignEventType(type: string): type is CampaignEvent["type"] {
  return (CAMPAIGN_EVENT_TYPES as readonly string[]).includes(type);
}

/** A campaign event from an envelope's type and data, or null when it is not one (or lacks its id or time). */
export function campaignEventOf(type: string, data: unknown): CampaignEvent | null {
  if (!isCampaignEventType(type) || typeof data !== "object" || data === null) return null;
  const d = data as Record<string, unknown>;
  if (typeof d.campaign_id !== "string" || typeof d.occurred_at !== "string") return null;
  return { type, data: { ...d, counts: countsOf(d.counts as Partial<RecipientCounts>) } } as CampaignEvent;
}

/** The live sends per second of `campaignId` an envelope carries (a campaign.progressed of it), or null. */
export function rateSampleOf(envelope: { type: string; data: unknown }, campaignId: string): RateSample | null {
  const event = campaignEventOf(envelope.type, envelope.data);
  if (event?.type !== "campaign.progressed" || event.data.campaign_id !== campaignId) return null;
  const t = Date.parse(event.data.occurred_at);
  const v = Number(event.data.sent_per_second);
  return Number.isFinite(t) && Number.isFinite(v) ? { t, v } : null;
}
