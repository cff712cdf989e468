import { describe, expect, it } from "vitest";
import type { Campaign } from "@/api/campaigns";
import {
  applyToCampaign,
  applyToList,
  applyToStats,
  type CampaignEvent,
  campaignEventOf,
  countsOf,
  progressOf,
  pushSample,
  rateSampleOf,
  ratesOf,
} from "./live";

const campaign: Campaign = {
  id: "c1",
  name: "Black Friday",
  channel: "whatsapp_meta",
  state: "running",
  audience: { filter: { tags_any: ["vip"] } },
  message: { variants: [] },
  schedule: { start_at: null, timezone: "America/Sao_Paulo", quiet_hours: null, days: null },
  messages_per_second: 20,
  channel_account_ids: [],
  duplicate_window_hours: 24,
  max_attempts: 3,
  counts: countsOf({ total: 100, pending: 100 }),
  snapshot: { state: "done", total: 100 },
  launched_at: "2025-01-01T12:00:00Z",
  paused_at: null,
  completed_at: null,
  created_at: "2025-01-01T12:00:00Z",
  updated_at: "2025-01-01T12:00:00Z",
};

const progressed = (at: string, counts: Partial<ReturnType<typeof countsOf>>, state: Campaign["state"] = "running"): CampaignEvent => ({
  type: "campaign.progressed",
  data: { campaign_id: "c1", state, counts: countsOf(counts), sent_per_second: 10, occurred_at: at },
});

describe("live campaign events", () => {
  it("moves the progress from processed over total, 100 only when nothing is pending or queued", () => {
    expect(progressOf(countsOf({ total: 100, pending: 40, queued: 10, sent: 50 }))).toEqual({ done: 50, total: 100, percent: 50 });
    expect(progressOf(countsOf({ total: 3, pending: 0, queued: 1, delivered: 2 })).percent).toBe(66);
    expect(progressOf(countsOf({ total: 3, delivered: 2, skipped: 1 })).percent).toBe(100);
    expect(progressOf(countsOf({ total: 0 }), "completed").percent).toBe(100);
    expect(progressOf(null).percent).toBe(0);
  });

  it("computes delivery, read and reply rates from counts", () => {
    const r = ratesOf(countsOf({ total: 10, sent: 2, delivered: 3, read: 3, failed: 2, replied: 1 }));
    expect(r.delivery).toBeCloseTo(6 / 10);
    expect(r.read).toBeCloseTo(3 / 6);
    expect(r.reply).toBeCloseTo(1 / 10);
    expect(ratesOf(countsOf({ total: 5, pending: 5 }))).toEqual({ delivery: null, read: null, reply: null });
  });

  it("applies newer events to the campaign and ignores late ones", () => {
    const a = applyToCampaign(campaign, progressed("2025-01-01T12:00:02Z", { total: 100, pending: 50, sent: 50 }))!;
    expect(a.counts?.sent).toBe(50);
    const late = applyToCampaign(a, progressed("2025-01-01T12:00:01Z", { total: 100, pending: 90, sent: 10 }));
    expect(late).toBe(a);
    expect(applyToCampaign({ ...campaign, id: "other" }, progressed("2025-01-01T12:00:03Z", {}))?.counts?.pending).toBe(100);
  });

  it("records state changes with their time", () => {
    const paused = applyToCampaign(campaign, {
      type: "campaign.state_changed",
      data: { campaign_id: "c1", state: "paused", previous_state: "running", counts: countsOf({ total: 100, pending: 60 }), occurred_at: "2025-01-01T12:01:00Z" },
    })!;
    expect(paused.state).toBe("paused");
    expect(paused.paused_at).toBe("2025-01-01T12:01:00Z");
    const done = applyToCampaign(paused, {
      type: "campaign.state_changed",
      data: { campaign_id: "c1", state: "completed", counts: countsOf({ total: 100, delivered: 100 }), occurred_at: "2025-01-01T12:02:00Z" },
    })!;
    expect(done.completed_at).toBe("2025-01-01T12:02:00Z");
    expect(progressOf(done.counts, done.state).percent).toBe(100);
  });

  it("patches stats counts and recomputes rates", () => {
    const stats = { counts: countsOf({ total: 100, pending: 100 }), delivery_rate: null, read_rate: null, reply_rate: null, failures: [], skipped: {}, variants: [], bucket_s: 10, series: [] };
    const next = applyToStats(stats, progressed("2025-01-01T12:00:05Z", { total: 100, pending: 0, delivered: 100 }))!;
    expect(next.counts.delivered).toBe(100);
    expect(next.delivery_rate).toBe(1);
    expect(applyToStats(undefined, progressed("2025-01-01T12:00:05Z", {}))).toBeUndefined();
  });

  it("patches the campaign wherever a list page has it", () => {
    const data = { pages: [{ items: [{ ...campaign, id: "x" }] }, { items: [campaign] }], pageParams: [null, "n"] };
    const { data: next, found } = applyToList(data, progressed("2025-01-01T12:00:05Z", { total: 100, sent: 100 }));
    expect(found).toBe(true);
    expect(next!.pages[1]!.items[0]!.counts?.sent).toBe(100);
    expect(next!.pages[0]!.items[0]).toBe(data.pages[0]!.items[0]);
    expect(applyToList({ pages: [{ items: [] }], pageParams: [null] }, progressed("2025-01-01T12:00:05Z", {})).found).toBe(false);
  });

  it("keeps a window of rate samples in time order, one per instant", () => {
    let s = pushSample([], { t: 2000, v: 5 });
    s = pushSample(s, { t: 1000, v: 4 });
    s = pushSample(s, { t: 2000, v: 6 });
    expect(s).toEqual([{ t: 1000, v: 4 }, { t: 2000, v: 6 }]);
    expect(pushSample(s, { t: 100_000, v: 1 }, 50_000)).toEqual([{ t: 100_000, v: 1 }]);
  });

  it("reads campaign events from the feed's envelopes and nothing else", () => {
    const data = { campaign_id: "c1", state: "running", counts: { total: 5, sent: 2 }, sent_per_second: 3, occurred_at: "2025-01-01T12:00:00Z" };
    const event = campaignEventOf("campaign.progressed", data);
    expect(event?.data.counts).toEqual(countsOf({ total: 5, sent: 2 }));
    expect(campaignEventOf("message.stored", data)).toBeNull();
    expect(campaignEventOf("campaign.progressed", null)).toBeNull();
    expect(campaignEventOf("campaign.progressed", "{bad")).toBeNull();
    expect(campaignEventOf("campaign.progressed", { state: "running" })).toBeNull();
  });

  it("takes the rate chart's samples from the campaign's own progress events only", () => {
    const data = { campaign_id: "c1", state: "running", counts: { total: 5 }, sent_per_second: 3.5, occurred_at: "2025-01-01T12:00:00Z" };
    expect(rateSampleOf({ type: "campaign.progressed", data }, "c1")).toEqual({ t: Date.parse("2025-01-01T12:00:00Z"), v: 3.5 });
    expect(rateSampleOf({ type: "campaign.progressed", data }, "c2")).toBeNull();
    expect(rateSampleOf({ type: "campaign.state_changed", data }, "c1")).toBeNull();
    expect(rateSampleOf({ type: "campaign.progressed", data: { ...data, occurred_at: "not a time" } }, "c1")).toBeNull();
  });
});
