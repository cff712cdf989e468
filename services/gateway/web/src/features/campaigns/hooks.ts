import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import {
  type Audience,
  type Campaign,
  type CampaignChannel,
  campaignKeys,
  type CampaignMessage,
  campaignsApi,
  FINAL_STATES,
} from "@/api/campaigns";
import { channelsApi } from "@/api/channels";
import { itemsOf } from "@/api/inbox";
import { keys } from "@/api/keys";
import { useTenantId } from "@/app/session";
import { uniqueById } from "@/lib/utils";
import type { LiveCampaign } from "./live";

/** `value`, once it has stopped changing for `ms` (the live count waits for the user to pause typing). */
export function useDebounced<T>(value: T, ms = 400): T {
  const [settled, setSettled] = useState(value);
  const json = JSON.stringify(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(JSON.parse(json) as T), ms);
    return () => clearTimeout(timer);
  }, [json, ms]);
  return settled;
}

const ACTIVE = new Set(["running", "scheduled", "paused"]);

export function useCampaigns(filters: { state: string; q: string }) {
  const tenantId = useTenantId();
  const query = useInfiniteQuery({
    queryKey: campaignKeys.list(tenantId, filters),
    queryFn: ({ pageParam, signal }) => campaignsApi.list({ ...filters, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    // Live events move the progress bars; a slow re-read settles what events do not carry.
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((c) => ACTIVE.has(c.state))) ? 15_000 : false),
  });
  const items = useMemo(() => uniqueById<LiveCampaign>(query.data?.pages ?? []), [query.data]);
  return { ...query, items };
}

export function useCampaign(id: string | undefined, options: { live?: boolean } = {}) {
  const tenantId = useTenantId();
  return useQuery({
    queryKey: campaignKeys.detail(tenantId, id ?? ""),
    queryFn: ({ signal }) => campaignsApi.get(id!, signal) as Promise<LiveCampaign>,
    enabled: Boolean(id),
    refetchInterval: (q) => {
      const c = q.state.data;
      if (!c || FINAL_STATES.includes(c.state) || c.state === "draft") return false;
      // While the audience snapshot runs, or without the live feed, the page polls.
      if (c.snapshot?.state === "pending") return 1_000;
      return options.live ? 10_000 : 2_000;
    },
  });
}

export function useCampaignStats(id: string | undefined, state: Campaign["state"] | undefined, live: boolean) {
  const tenantId = useTenantId();
  return useQuery({
    queryKey: campaignKeys.stats(tenantId, id ?? ""),
    queryFn: ({ signal }) => campaignsApi.stats(id!, signal),
    enabled: Boolean(id) && state !== undefined && state !== "draft",
    // Events carry counts, not the series or the failures: those are read again while sending (faster when
    // the live feed is down, as its fallback), and a while after the end as the last statuses come back.
    refetchInterval: () => (state === "running" ? (live ? 5_000 : 2_000) : state === "completed" || state === "paused" ? 15_000 : false),
  });
}

export function useRecipients(id: string, state: string) {
  const tenantId = useTenantId();
  const query = useInfiniteQuery({
    queryKey: campaignKeys.recipients(tenantId, id, state),
    queryFn: ({ pageParam, signal }) => campaignsApi.recipients(id, { state, cursor: pageParam, limit: 25 }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = useMemo(() => uniqueById(query.data?.pages ?? []), [query.data]);
  return { ...query, items };
}

/** The live count of an audience on a channel, asked again 400 ms after the filter stops changing. */
export function useAudienceCount(audience: Audience, channel: CampaignChannel, enabled: boolean) {
  const tenantId = useTenantId();
  const settled = useDebounced({ audience, channel }, 400);
  return useQuery({
    queryKey: campaignKeys.count(tenantId, settled),
    queryFn: ({ signal }) => campaignsApi.count(settled.audience, settled.channel, signal),
    enabled,
    placeholderData: keepPreviousData,
    staleTime: 15_000,
    retry: false,
  });
}

export function useEstimate(body: { channel: CampaignChannel; message: CampaignMessage; audience: Audience }, enabled: boolean) {
  const tenantId = useTenantId();
  const settled = useDebounced(body, 600);
  return useQuery({
    queryKey: campaignKeys.estimate(tenantId, settled),
    queryFn: ({ signal }) => campaignsApi.estimate(settled, signal),
    enabled,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    retry: false,
  });
}

export function usePreview(
  body: { channel: CampaignChannel; message: CampaignMessage; contact_id?: string; audience?: Audience },
  enabled: boolean,
) {
  const tenantId = useTenantId();
  const settled = useDebounced(body, 600);
  return useQuery({
    queryKey: campaignKeys.preview(tenantId, settled),
    queryFn: ({ signal }) => campaignsApi.preview(settled, signal),
    enabled,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    retry: false,
  });
}

export function useSegments() {
  const tenantId = useTenantId();
  return useQuery({
    queryKey: campaignKeys.segments(tenantId),
    queryFn: async ({ signal }) => (await campaignsApi.segments(signal)).items,
    staleTime: 60_000,
  });
}

/** A WhatsApp number's approved templates (the same cache entry as the inbox's template picker). */
export function useApprovedTemplates(numberId: string | undefined) {
  const tenantId = useTenantId();
  return useQuery({
    queryKey: [...keys.templates(tenantId, numberId ?? ""), "APPROVED"],
    queryFn: async ({ signal }) => itemsOf(await channelsApi.templates({ number_id: numberId, status: "APPROVED" }, signal)),
    enabled: Boolean(numberId),
    staleTime: 60_000,
  });
}

export type CampaignAction = "launch" | "pause" | "resume" | "cancel";

/** Launch, pause, resume, cancel: the answer (the committed state) replaces the cached campaign. */
export function useCampaignAction(id: string) {
  const tenantId = useTenantId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (action: CampaignAction) => campaignsApi[action](id),
    onSuccess: (campaign) => {
      client.setQueryData<LiveCampaign>(campaignKeys.detail(tenantId, id), (old) => ({ ...old, ...campaign, live_at: old?.live_at }));
      void client.invalidateQueries({ queryKey: campaignKeys.lists(tenantId) });
      void client.invalidateQueries({ queryKey: campaignKeys.stats(tenantId, id) });
    },
  });
}
