/**
 * Pure cache updates for live events: how an event changes the cached conversation lists and threads.
 * The hook in ./useLiveEvents.ts applies them to TanStack Query; tests run them on plain data.
 */
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import type { Conversation, ConversationPage, Message, MessagePage } from "@/api";
import { keys } from "@/api/keys";

/** The JSON envelope every event carries in `data:`. */
export interface LiveEnvelope<T = Record<string, unknown>> {
  id: string;
  type: string;
  tenant: string;
  time: string;
  data: T;
}

export interface MessageStoredData {
  conversation_id: string;
  message_id: string;
  contact_id: string;
  direction: "inbound" | "outbound" | string;
  channel: string;
  external_id: string | null;
  content_kind: string;
  preview: string;
  occurred_at: string;
}

export interface ConversationUpdatedData {
  conversation_id: string;
  contact_id: string;
  status: string;
  unread_count: number;
  last_message_at?: string | null;
  updated_at: string;
}

export type ConversationPages = InfiniteData<ConversationPage, string | null>;
export type MessagePages = InfiniteData<MessagePage, string | null>;

const later = (a: string, b: string) => new Date(a).getTime() >= new Date(b).getTime();

/**
 * A stored message moves its conversation to the top of an (unfiltered) list with the new preview and time,
 * and inbound messages add to its unread count. Returns `found: false` when the list does not have the
 * conversation yet (a new one): the caller refetches, since the event lacks the contact.
 */
export function applyMessageToList(
  data: ConversationPages | undefined,
  event: MessageStoredData,
): { data: ConversationPages | undefined; found: boolean } {
  if (!data) return { data, found: false };
  let found: Conversation | undefined;
  const pages = data.pages.map((page) => {
    const index = page.items.findIndex((c) => c.id === event.conversation_id);
    if (index < 0) return page;
    found = page.items[index];
    return { ...page, items: page.items.filter((_, i) => i !== index) };
  });
  if (!found) return { data, found: false };
  const newer = later(event.occurred_at, found.last_message_at);
  const updated: Conversation = {
    ...found,
    last_message_at: newer ? event.occurred_at : found.last_message_at,
    last_message_preview: newer ? event.preview : found.last_message_preview,
    unread_count: found.unread_count + (event.direction === "inbound" ? 1 : 0),
  };
  const first = pages[0]!;
  return { data: { ...data, pages: [{ ...first, items: [updated, ...first.items] }, ...pages.slice(1)] }, found: true };
}

/**
 * The server's newest page replaces the top of a cached list: exact unread counts and previews, and any new
 * conversations. Conversations the cache had but the page does not (pushed down by newer ones) stay, after
 * it, so nothing vanishes; later pages are kept as they are (the list shows each conversation once).
 */
export function reconcileFirstPage(data: ConversationPages | undefined, server: ConversationPage): ConversationPages | undefined {
  if (!data || data.pages.length === 0) return data;
  const fresh = new Set(server.items.map((c) => c.id));
  const [first, ...rest] = data.pages;
  const carried = first!.items.filter((c) => !fresh.has(c.id));
  return {
    ...data,
    pages: [
      { items: [...server.items, ...carried], next_cursor: first!.next_cursor ?? server.next_cursor ?? null },
      ...rest.map((page) => ({ ...page, items: page.items.filter((c) => !fresh.has(c.id)) })),
    ],
  };
}

/** The new state of a conversation (status, unread count, last activity) patched where it is listed. */
export function applyConversationUpdate(
  data: ConversationPages | undefined,
  event: ConversationUpdatedData,
): { data: ConversationPages | undefined; found: boolean } {
  if (!data) return { data, found: false };
  let found = false;
  const pages = data.pages.map((page) => ({
    ...page,
    items: page.items.map((c) => {
      if (c.id !== event.conversation_id) return c;
      found = true;
      return {
        ...c,
        status: event.status,
        unread_count: event.unread_count,
        ...(event.last_message_at && later(event.last_message_at, c.last_message_at)
          ? { last_message_at: event.last_message_at }
          : {}),
      };
    }),
  }));
  return { data: found ? { ...data, pages } : data, found };
}

/** A message as the thread shows it, built from the event until the server's copy replaces it. */
export function messageFromEvent(event: MessageStoredData): Message {
  const content: Record<string, unknown> =
    event.content_kind === "text" ? { kind: "text", body: event.preview } : { kind: event.content_kind };
  return {
    id: event.message_id,
    conversation_id: event.conversation_id,
    direction: event.direction,
    channel: event.channel,
    external_id: event.external_id,
    content,
    preview: event.preview,
    sender_name: null,
    occurred_at: event.occurred_at,
    created_at: event.occurred_at,
  };
}

/** Adds messages to the newest page of a thread (pages are newest first), once each, newest first. */
export function mergeIntoThread(data: MessagePages | undefined, incoming: Message[]): MessagePages | undefined {
  if (!data || data.pages.length === 0 || incoming.length === 0) return data;
  const byId = new Map(incoming.map((m) => [m.id, m]));
  // The server's copy replaces a placeholder built from the event, wherever it sits.
  const pages = data.pages.map((page) => ({
    ...page,
    items: page.items.map((m) => {
      const fresh = byId.get(m.id);
      if (!fresh) return m;
      byId.delete(m.id);
      return fresh;
    }),
  }));
  const added = [...byId.values()];
  if (added.length === 0) return { ...data, pages };
  const first = pages[0]!;
  const items = [...added, ...first.items].sort(
    (a, b) => new Date(b.occurred_at).getTime() - new Date(a.occurred_at).getTime(),
  );
  return { ...data, pages: [{ ...first, items }, ...pages.slice(1)] };
}

export interface LiveContext {
  tenantId: string;
  /** Fetches the newest page of a thread (to replace placeholders with the server's messages). */
  fetchNewest?: (conversationId: string) => Promise<MessagePage>;
  /** Marks queries stale and refetches them; the app coalesces bursts (default: at once). */
  invalidate?: (filters: { queryKey: readonly unknown[]; exact?: boolean }) => void;
  /**
   * Re-reads the newest page of an unfiltered list soon (debounced) and applies `reconcileFirstPage`:
   * counts patched from events are then corrected to the server's, whatever the events raced with.
   */
  reconcile?: (listKey: readonly unknown[]) => void;
}

/** Applies one event to the query cache; returns what it did (for tests and debugging). */
export function applyLiveEvent(client: QueryClient, envelope: LiveEnvelope, ctx: LiveContext): string[] {
  const done: string[] = [];
  if (envelope.tenant && envelope.tenant !== ctx.tenantId) return ["ignored: other tenant"];
  const invalidate = ctx.invalidate ?? ((filters) => void client.invalidateQueries(filters));
  const lists = client.getQueriesData<ConversationPages>({ queryKey: keys.conversationLists(ctx.tenantId) });

  switch (envelope.type) {
    case "message.stored": {
      const event = envelope.data as unknown as MessageStoredData;
      for (const [key, data] of lists) {
        const q = (key[3] as { q?: string } | undefined)?.q ?? "";
        const { data: next, found } = q ? { data, found: false } : applyMessageToList(data, event);
        if (found) {
          client.setQueryData(key, next);
          done.push("list: patched");
        }
        if (!q && data && ctx.reconcile) {
          ctx.reconcile(key);
          done.push("list: reconcile");
        } else if (!found) {
          invalidate({ queryKey: key, exact: true });
          done.push("list: refetch");
        }
      }
      const threadKey = keys.messages(ctx.tenantId, event.conversation_id);
      if (client.getQueryData(threadKey)) {
        client.setQueryData<MessagePages>(threadKey, (data) => mergeIntoThread(data, [messageFromEvent(event)]));
        done.push("thread: patched");
        if (ctx.fetchNewest) {
          void ctx.fetchNewest(event.conversation_id).then(
            (page) => client.setQueryData<MessagePages>(threadKey, (data) => mergeIntoThread(data, page.items)),
            () => invalidate({ queryKey: threadKey }),
          );
        }
      }
      client.setQueryData<Conversation>(keys.conversation(ctx.tenantId, event.conversation_id), (c) =>
        c && later(event.occurred_at, c.last_message_at)
          ? { ...c, last_message_at: event.occurred_at, last_message_preview: event.preview }
          : c,
      );
      break;
    }
    case "conversation.updated": {
      const event = envelope.data as unknown as ConversationUpdatedData;
      for (const [key, data] of lists) {
        const { data: next, found } = applyConversationUpdate(data, event);
        if (found) {
          client.setQueryData(key, next);
          done.push("list: patched");
        }
      }
      invalidate({ queryKey: keys.conversation(ctx.tenantId, event.conversation_id) });
      break;
    }
    case "conversation.opened":
    case "contact.created":
    case "contact.updated":
      if (!ctx.reconcile) {
        invalidate({ queryKey: keys.conversationLists(ctx.tenantId) });
        done.push("lists: refetch");
        break;
      }
      for (const [key, data] of lists) {
        const q = (key[3] as { q?: string } | undefined)?.q ?? "";
        if (!q && data) {
          ctx.reconcile(key);
          done.push("list: reconcile");
        } else {
          invalidate({ queryKey: key, exact: true });
          done.push("list: refetch");
        }
      }
      break;
    default:
      done.push(`ignored: ${envelope.type}`);
  }
  return done;
}
