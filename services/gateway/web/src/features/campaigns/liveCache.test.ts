import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { type Campaign, campaignKeys, type CampaignStats } from "@/api/campaigns";
import { LIVE_EVENT_TYPES } from "@/live/LiveEvents";
import { applyLiveEvent, type LiveEnvelope } from "@/live/patch";
import { countsOf, type LiveCampaign } from "./live";

const T = "tenant-1";

const campaign = (id: string, extra: Partial<Campaign> = {}): Campaign => ({
  id,
  name: `Campanha ${id}`,
  channel: "whatsapp_meta",
  state: "running",
  audience: { filter: { tags_any: ["vip"] } },
  message: { variants: [] },
  schedule: { start_at: null, timezone: "America/Sao_Paulo", quiet_hours: null, days: null },
  messages_per_second: 20,
  channel_account_ids: [],
  duplicate_window_hours: 24,
  max_attempts: 3,
  counts: countsOf({ total: 10, pending: 10 }),
  snapshot: { state: "done", total: 10 },
  launched_at: "2025-01-01T12:00:00Z",
  paused_at: null,
  completed_at: null,
  created_at: "2025-01-01T12:00:00Z",
  updated_at: "2025-01-01T12:00:00Z",
  ...extra,
});

const stats = (): CampaignStats => ({
  counts: countsOf({ total: 10, pending: 10 }),
  delivery_rate: null,
  read_rate: null,
  reply_rate: null,
  failures: [],
  skipped: {},
  variants: [],
  bucket_s: 10,
  series: [],
});

const progressed = (id: string, at: string, counts: Parameters<typeof countsOf>[0], tenant = T): LiveEnvelope => ({
  id: "7",
  type: "campaign.progressed",
  tenant,
  time: at,
  data: { campaign_id: id, state: "running", counts, sent_per_second: 4, occurred_at: at },
});

function setup() {
  const client = new QueryClient();
  const invalidated: string[] = [];
  const ctx = { tenantId: T, invalidate: (f: { queryKey: readonly unknown[] }) => void invalidated.push(JSON.stringify(f.queryKey)) };
  client.setQueryData(campaignKeys.detail(T, "c1"), campaign("c1"));
  client.setQueryData(campaignKeys.stats(T, "c1"), stats());
  client.setQueryData(campaignKeys.list(T, { state: "", q: "" }), { pages: [{ items: [campaign("c0"), campaign("c1")] }], pageParams: [null] });
  return { client, invalidated, ctx };
}

const listed = (client: QueryClient, id: string) =>
  client.getQueryData<{ pages: { items: LiveCampaign[] }[] }>(campaignKeys.list(T, { state: "", q: "" }))!.pages[0]!.items.find((c) => c.id === id)!;

describe("campaign events on the app-wide live feed", () => {
  it("are among the events the one EventSource listens for", () => {
    expect(LIVE_EVENT_TYPES).toContain("campaign.progressed");
    expect(LIVE_EVENT_TYPES).toContain("campaign.state_changed");
  });

  it("move the open campaign, its stats and its row in the list, newer events only", () => {
    const { client, invalidated, ctx } = setup();
    const done = applyLiveEvent(client, progressed("c1", "2025-01-01T12:00:05Z", { total: 10, pending: 4, sent: 3, delivered: 3 }), ctx);
    expect(done).toEqual(["campaign: patched", "stats: patched", "lists: patched"]);
    expect(client.getQueryData<LiveCampaign>(campaignKeys.detail(T, "c1"))!.counts.pending).toBe(4);
    expect(client.getQueryData<CampaignStats>(campaignKeys.stats(T, "c1"))!.delivery_rate).toBe(0.5);
    expect(listed(client, "c1").counts.sent).toBe(3);
    expect(listed(client, "c0").counts.pending).toBe(10);
    expect(invalidated).toEqual([]);

    applyLiveEvent(client, progressed("c1", "2025-01-01T12:00:01Z", { total: 10, pending: 9, sent: 1 }), ctx);
    expect(client.getQueryData<LiveCampaign>(campaignKeys.detail(T, "c1"))!.counts.pending).toBe(4);
  });

  it("re-read the lists for a campaign they do not show yet, and ignore other tenants", () => {
    const { client, invalidated, ctx } = setup();
    expect(applyLiveEvent(client, progressed("c9", "2025-01-01T12:00:05Z", { total: 1, sent: 1 }), ctx)).toEqual(["lists: refetch"]);
    expect(invalidated).toEqual([JSON.stringify(campaignKeys.lists(T))]);
    expect(applyLiveEvent(client, progressed("c1", "2025-01-01T12:00:09Z", { total: 10, sent: 10 }, "other"), ctx)).toEqual(["ignored: other tenant"]);
    expect(client.getQueryData<LiveCampaign>(campaignKeys.detail(T, "c1"))!.counts.pending).toBe(10);
  });

  it("apply a state change at once and read the campaign again", () => {
    const { client, invalidated, ctx } = setup();
    const paused: LiveEnvelope = {
      id: "8",
      type: "campaign.state_changed",
      tenant: T,
      time: "2025-01-01T12:01:00Z",
      data: { campaign_id: "c1", state: "paused", previous_state: "running", counts: { total: 10, pending: 6, sent: 4 }, occurred_at: "2025-01-01T12:01:00Z" },
    };
    applyLiveEvent(client, paused, ctx);
    expect(client.getQueryData<LiveCampaign>(campaignKeys.detail(T, "c1"))).toMatchObject({ state: "paused", paused_at: "2025-01-01T12:01:00Z" });
    expect(listed(client, "c1").state).toBe("paused");
    expect(invalidated).toEqual(
      [campaignKeys.lists(T), campaignKeys.detail(T, "c1"), campaignKeys.stats(T, "c1"), campaignKeys.recipientsOf(T, "c1")].map((k) => JSON.stringify(k)),
    );
  });

  it("skip a malformed campaign event", () => {
    const { client, ctx } = setup();
    const bad: LiveEnvelope = { id: "9", type: "campaign.progressed", tenant: T, time: "", data: { state: "running" } };
    expect(applyLiveEvent(client, bad, ctx)).toEqual(["ignored: malformed campaign event"]);
  });
});
