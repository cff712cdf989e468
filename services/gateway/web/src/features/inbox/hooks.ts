import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { api } from "@/api";
import { channelsApi } from "@/api/channels";
import { type InboxConversation, type InboxMessage, inboxApi, itemsOf } from "@/api/inbox";
import { keys, type ListFilters } from "@/api/keys";
import { useTenantId } from "@/app/session";
import { uniqueById } from "@/lib/utils";
import type { ConversationPages } from "@/live/patch";
import { takeInboxPrefetch } from "./bootPrefetch";

/** The conversation list for a search and filters, page by page (newest first), deduplicated across pages. */
export function useConversations(filters: ListFilters) {
  const tenantId = useTenantId();
  const query = useInfiniteQuery({
    queryKey: keys.conversationList(tenantId, filters),
    queryFn: async ({ pageParam, signal }) =>
      (pageParam === null ? await takeInboxPrefetch(filters) : null) ??
      inboxApi.conversations({ ...filters, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = useMemo(() => uniqueById(query.data?.pages ?? []), [query.data]);
  return { ...query, items };
}

/** One conversation: from a cached list when there, else from the API (with its service window). */
export function useConversation(id: string) {
  const tenantId = useTenantId();
  const client = useQueryClient();
  return useQuery<InboxConversation>({
    queryKey: keys.conversation(tenantId, id),
    queryFn: ({ signal }) => api.conversation(id, signal) as Promise<InboxConversation>,
    initialData: () => {
      for (const [, data] of client.getQueriesData<ConversationPages>({ queryKey: keys.conversationLists(tenantId) })) {
        for (const page of data?.pages ?? []) {
          const found = page.items.find((c) => c.id === id);
          if (found) return found;
        }
      }
      return undefined;
    },
    initialDataUpdatedAt: 0,
  });
}

/** A thread: pages come newest first and walk back in time; `messages` is oldest → newest for display. */
export function useThread(conversationId: string) {
  const tenantId = useTenantId();
  const query = useInfiniteQuery({
    queryKey: keys.messages(tenantId, conversationId),
    queryFn: ({ pageParam, signal }) => api.messages(conversationId, { cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const messages = useMemo(() => {
    const seen = new Set<string>();
    const newestFirst: InboxMessage[] = [];
    for (const page of query.data?.pages ?? []) {
      for (const message of page.items) {
        if (seen.has(message.id)) continue;
        seen.add(message.id);
        newestFirst.push(message);
      }
    }
    return newestFirst.reverse();
  }, [query.data]);
  return { ...query, messages };
}

/** The tenant's members (to assign conversations to). */
export function useMembers() {
  const tenantId = useTenantId();
  return useQuery({
    queryKey: keys.members(tenantId),
    queryFn: async ({ signal }) => itemsOf(await inboxApi.members(signal)),
    staleTime: 5 * 60_000,
  });
}

/** A conversation's internal notes, oldest first. */
export function useNotes(conversationId: string) {
  const tenantId = useTenantId();
  return useQuery({
    queryKey: keys.notes(tenantId, conversationId),
    queryFn: async ({ signal }) =>
      itemsOf(await inboxApi.notes(conversationId, signal)).sort(
        (a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime(),
      ),
  });
}

export function usePhoneNumbers() {
  const tenantId = useTenantId();
  return useQuery({ queryKey: keys.phoneNumbers(tenantId), queryFn: ({ signal }) => api.phoneNumbers(signal) });
}

/** The tenant's Twilio SMS senders. */
export function useSmsSenders(enabled = true) {
  const tenantId = useTenantId();
  return useQuery({
    queryKey: keys.smsSenders(tenantId),
    queryFn: async ({ signal }) => itemsOf(await channelsApi.smsSenders(signal)),
    enabled,
  });
}
