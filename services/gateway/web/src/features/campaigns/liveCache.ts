/**
 * Campaign events from the app-wide live feed (src/live/patch.ts) applied to TanStack Query's cache: the
 * campaign's detail, its stats and every list page that shows it. The reducers are the pure ones of live.ts.
 */
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import { campaignKeys, type Page } from "@/api/campaigns";
import { applyToCampaign, applyToList, applyToStats, type CampaignEvent, type LiveCampaign, type LiveStats } from "./live";

type Invalidate = (filters: { queryKey: readonly unknown[]; exact?: boolean }) => void;

/** Applies one campaign event; returns what it did (for tests and debugging). */
export function applyCampaignEvent(client: QueryClient, tenantId: string, event: CampaignEvent, invalidate: Invalidate): string[] {
  const done: string[] = [];
  const id = event.data.campaign_id;
  const detailKey = campaignKeys.detail(tenantId, id);
  if (client.getQueryData(detailKey)) {
    client.setQueryData<LiveCampaign>(detailKey, (c) => applyToCampaign(c, event));
    done.push("campaign: patched");
  }
  const statsKey = campaignKeys.stats(tenantId, id);
  if (client.getQueryData(statsKey)) {
    client.setQueryData<LiveStats>(statsKey, (s) => applyToStats(s, event));
    done.push("stats: patched");
  }
  const lists = client.getQueriesData<InfiniteData<Page<LiveCampaign>>>({ queryKey: campaignKeys.lists(tenantId) });
  let listed = false;
  for (const [key, data] of lists) {
    const { data: next, found } = applyToList(data, event);
    if (found) listed = true;
    if (next !== data) client.setQueryData(key, next);
  }
  if (listed) done.push("lists: patched");
  if (event.type === "campaign.state_changed") {
    // A new state moves the campaign between filtered lists and stamps what the event does not carry (the
    // snapshot, the recipients' rows): the campaign's queries are read again, a burst of changes once.
    for (const queryKey of [campaignKeys.lists(tenantId), detailKey, statsKey, campaignKeys.recipientsOf(tenantId, id)]) invalidate({ queryKey });
    done.push("campaign: refetch");
  } else if (!listed && lists.length) {
    // A campaign the lists do not show yet (launched elsewhere): they are read again.
    invalidate({ queryKey: campaignKeys.lists(tenantId) });
    done.push("lists: refetch");
  }
  return done;
}
