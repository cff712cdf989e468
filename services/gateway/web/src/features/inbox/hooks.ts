import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { api, type Conversation, type Message } from "@/api";
import { keys } from "@/api/keys";
import { useTenantId } from "@/app/session";
import type { ConversationPages } from "@/live/patch";
import { takeInboxPrefetch } from "./bootPrefetch";

/** The conversation list for a search, page by page (newest first), deduplicated across pages. */
export function useConversations(q: string) {
  const tenantId = useTenantId();
  const query = useInfiniteQuery({
    queryKey: keys.conversationList(tenantId, q),
    queryFn: async ({ pageParam, signal }) =>
      (pageParam === null ? await takeInboxPrefetch(q) : null) ?? api.conversations({ q, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = useMemo(() => {
    const seen = new Set<string>();
    const out: Conversation[] = [];
    for (const page of query.data?.pages ?? []) {
      for (const c of page.items) {
        if (seen.has(c.id)) continue;
        seen.add(c.id);
        out.push(c);
      }
    }
    return out;
  }, [query.data]);
  return { ...query, items };
}

/** One conversation: from a cached list when there, else from the API. */
export function useConversation(id: string) {
  const tenantId = useTenantId();
  const client = useQueryClient();
  return useQuery({
    queryKey: keys.conversation(tenantId, id),
    queryFn: ({ signal }) => api.conversation(id, signal),
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
    const newestFirst: Message[] = [];
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

export function usePhoneNumbers() {
  const tenantId = useTenantId();
  return useQuery({ queryKey: keys.phoneNumbers(tenantId), queryFn: ({ signal }) => api.phoneNumbers(signal) });
}
