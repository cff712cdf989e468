import { type InfiniteData, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { campaignKeys, type Page } from "@/api/campaigns";
import { useTenantId } from "@/app/session";
import { EVENTS_URL } from "@/live/LiveEvents";
import {
  applyToCampaign,
  applyToList,
  applyToStats,
  CAMPAIGN_EVENT_TYPES,
  type LiveCampaign,
  type LiveStats,
  parseCampaignEvent,
  pushSample,
  type RateSample,
} from "./live";

/**
 * Follows campaign.progressed / campaign.state_changed on the gateway's event feed while a campaign page is
 * open, and applies them to the cached campaign, its stats and the lists. The app-wide feed (src/live) does
 * not listen for campaign events, so the campaign pages open their own EventSource (same URL, same cookie);
 * when it is down the pages poll (`connected` false). `samples` are the live sends per second of
 * `campaignId`, for the rate chart.
 */
export function useCampaignLive(campaignId?: string): { connected: boolean; samples: RateSample[] } {
  const tenantId = useTenantId();
  const client = useQueryClient();
  const [connected, setConnected] = useState(false);
  const [samples, setSamples] = useState<RateSample[]>([]);

  useEffect(() => setSamples([]), [campaignId]);

  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempts = 0;
    let stopped = false;
    let refetchTimer: ReturnType<typeof setTimeout> | undefined;
    // State changes re-read the lists and the open campaign once things settle (a burst is one re-read).
    const refetchSoon = (id: string) => {
      clearTimeout(refetchTimer);
      refetchTimer = setTimeout(() => {
        void client.invalidateQueries({ queryKey: campaignKeys.lists(tenantId) });
        void client.invalidateQueries({ queryKey: campaignKeys.detail(tenantId, id) });
        void client.invalidateQueries({ queryKey: campaignKeys.stats(tenantId, id) });
        void client.invalidateQueries({ queryKey: ["tenant", tenantId, "campaigns", "recipients", id] });
      }, 300);
    };

    const onEvent = (message: MessageEvent<string>) => {
      const event = parseCampaignEvent(message.type, message.data);
      if (!event) return;
      const id = event.data.campaign_id;
      client.setQueryData<LiveCampaign>(campaignKeys.detail(tenantId, id), (c) => applyToCampaign(c, event));
      client.setQueryData<LiveStats>(campaignKeys.stats(tenantId, id), (s) => applyToStats(s, event));
      let inSomeList = false;
      for (const [key, data] of client.getQueriesData<InfiniteData<Page<LiveCampaign>>>({ queryKey: campaignKeys.lists(tenantId) })) {
        const { data: next, found } = applyToList(data, event);
        if (found) inSomeList = true;
        if (next !== data) client.setQueryData(key, next);
      }
      if (event.type === "campaign.state_changed") refetchSoon(id);
      else if (!inSomeList && client.getQueriesData({ queryKey: campaignKeys.lists(tenantId) }).length) {
        // A campaign the lists do not show yet (launched elsewhere): they are read again.
        void client.invalidateQueries({ queryKey: campaignKeys.lists(tenantId) });
      }
      if (event.type === "campaign.progressed" && id === campaignId) {
        const t = Date.parse(event.data.occurred_at);
        if (Number.isFinite(t)) setSamples((s) => pushSample(s, { t, v: event.data.sent_per_second }));
      }
    };

    const connect = () => {
      source = new EventSource(EVENTS_URL, { withCredentials: true });
      source.onopen = () => {
        attempts = 0;
        setConnected(true);
        // Whatever moved before the stream opened is read once.
        if (campaignId) refetchSoon(campaignId);
      };
      source.onerror = () => {
        setConnected(false);
        if (!source || stopped || source.readyState !== EventSource.CLOSED) return; // the browser retries itself
        source.close();
        source = null;
        const delay = Math.min(30_000, 1_000 * 2 ** attempts);
        attempts += 1;
        retry = setTimeout(() => !stopped && connect(), delay);
      };
      for (const type of CAMPAIGN_EVENT_TYPES) source.addEventListener(type, onEvent as EventListener);
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(refetchTimer);
      source?.close();
    };
  }, [tenantId, client, campaignId]);

  return { connected, samples };
}
