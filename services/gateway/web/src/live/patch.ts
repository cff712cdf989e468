/**
 * Pure cache updates for live events: how an event changes the cached conversation lists and threads.
 * The provider in ./LiveEvents.tsx applies them to TanStack Query; tests run them on plain data.
 */
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import type { Conversation, ConversationPage, Message, MessagePage } from "@/api";
import type { DeliveryError, InboxConversation, InboxMessage } from "@/api/inbox";
import { filtersOfKey, keys } from "@/api/keys";
import { campaignEventOf } from "@/features/campaigns/live";
import { applyCampaignEvent } from "@/features/campaigns/liveCache";
import { type ImportProgress, reduceImport, toProgress } from "@/features/contacts/importProgress";

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
  assignee_user_id?: string | null;
  unread_count: number;
  last_message_at?: string | null;
  updated_at: string;
}

export interface DeliveryUpdatedData {
  conversation_id: string;
  message_id: string;
  contact_id?: string;
  channel?: string;
  external_id?: string | null;
  status: string;
  error?: DeliveryError | null;
  occurred_at: string;
}

/**
 * A message in a thread's cache. `_local` marks copies not (yet) read from the server: "optimistic" while the
 * agent's send is in flight, "event" when built from a live event; the server's copy replaces them.
 */
export type ThreadMessage = InboxMessage & { _local?: "optimistic" | "event" };

export type ConversationPages = InfiniteData<ConversationPage, string | null>;
export type MessagePages = InfiniteData<MessagePage, string | null>;

const later = (a: string, b: string) => new Date(a).getTime() >= new Date(b).getTime();

/**
 * An ISO timestamp in microseconds (the server's precision; Date keeps only milliseconds), or null when it
 * cannot be read.
 */
export function stampOf(value: string | null | undefined): number | null {
  if (!value) return null;
  const fraction = /\.(\d+)/.exec(value)?.[1] ?? "";
  const ms = Date.parse(value.replace(/\.\d+/, ""));
  if (Number.isNaN(ms)) return null;
  return ms * 1000 + Number((fraction + "000000").slice(0, 6));
}

/**
 * True when a conversation's state stamped `next` (its updated_at) may replace the one stamped `current`:
 * it is not older. Events, the read mark's answer and re-read pages race each other; an older state
 * arriving late must not undo a newer one (an unread count of 0 coming back as 1). Unknown stamps apply.
 */
export function isNotOlder(current: string | null | undefined, next: string | null | undefined): boolean {
  const a = stampOf(current);
  const b = stampOf(next);
  return a === null || b === null || b >= a;
}

/** The order delivery statuses move in (libs/contracts messages.py `status_advances`); failed is apart. */
export const STATUS_RANK: Record<string, number> = { queued: 0, unknown: 0, accepted: 1, sent: 2, delivered: 3, read: 4 };
const rank = (status: string) => STATUS_RANK[status] ?? 0;

/**
 * True when `next` moves a message forward from `current` (the server's rule, so duplicated and reordered
 * events never move a tick backwards): nothing leaves failed; a failure after delivery is stale.
 */
export function statusAdvances(current: string | null | undefined, next: string | null | undefined): boolean {
  if (!next) return false;
  if (!current) return true;
  if (current === next || current === "failed") return false;
  if (next === "failed") return rank(current) < rank("delivered");
  return rank(next) > rank(current);
}

/**
 * The copy of a message to keep when a new one arrives for the same id: the newer copy, except that a
 * placeholder never replaces the server's copy and the status never moves backwards.
 */
export function mergeMessage(existing: ThreadMessage, fresh: ThreadMessage): ThreadMessage {
  if (fresh._local === "event" && existing._local !== "event") return existing;
  const keepStatus = Boolean(existing.status) && !statusAdvances(existing.status, fresh.status);
  if (!keepStatus) return fresh;
  return { ...fresh, status: existing.status, error: existing.error ?? null, status_at: existing.status_at ?? fresh.status_at ?? null };
}

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
  const cached = new Map<string, Conversation>();
  for (const page of data.pages) for (const c of page.items) if (fresh.has(c.id) && !cached.has(c.id)) cached.set(c.id, c);
  const items = server.items.map((c) => freshest(cached.get(c.id), c));
  const [first, ...rest] = data.pages;
  const carried = first!.items.filter((c) => !fresh.has(c.id));
  return {
    ...data,
    pages: [
      { items: [...items, ...carried], next_cursor: first!.next_cursor ?? server.next_cursor ?? null },
      ...rest.map((page) => ({ ...page, items: page.items.filter((c) => !fresh.has(c.id)) })),
    ],
  };
}

/**
 * The row a re-read page brings, unless the cache holds a newer state of the conversation (a
 * conversation.updated or read mark the page's query did not see yet): then the cached status, unread count
 * and assignee stay, and the last message is the later of the two.
 */
function freshest(cached: Conversation | undefined, server: Conversation): Conversation {
  if (!cached || isNotOlder(cached.updated_at, server.updated_at)) return server;
  const lastIsCached = !later(server.last_message_at, cached.last_message_at);
  return {
    ...server,
    status: cached.status,
    unread_count: cached.unread_count,
    assignee_user_id: cached.assignee_user_id ?? null,
    updated_at: cached.updated_at ?? null,
    ...(lastIsCached ? { last_message_at: cached.last_message_at, last_message_preview: cached.last_message_preview } : {}),
  };
}

/**
 * A conversation's new state (status, unread count, assignee, last activity) on one cached copy of it, or
 * the copy unchanged when the state is older than the copy's (updated_at).
 */
export function withConversationState<C extends Conversation>(c: C, event: ConversationUpdatedData): C {
  if (!isNotOlder(c.updated_at, event.updated_at)) return c;
  return {
    ...c,
    status: event.status,
    unread_count: event.unread_count,
    updated_at: event.updated_at || c.updated_at,
    ...("assignee_user_id" in event ? { assignee_user_id: event.assignee_user_id ?? null } : {}),
    ...(event.last_message_at && later(event.last_message_at, c.last_message_at) ? { last_message_at: event.last_message_at } : {}),
  };
}

/**
 * The new state of a conversation patched where it is listed. `found` says the list has the conversation
 * (whether or not the state was newer than the list's and so applied).
 */
export function applyConversationUpdate(
  data: ConversationPages | undefined,
  event: ConversationUpdatedData,
): { data: ConversationPages | undefined; found: boolean } {
  if (!data) return { data, found: false };
  let found = false;
  let changed = false;
  const pages = data.pages.map((page) => ({
    ...page,
    items: page.items.map((c) => {
      if (c.id !== event.conversation_id) return c;
      found = true;
      const next = withConversationState(c, event);
      if (next !== c) changed = true;
      return next;
    }),
  }));
  return { data: changed ? { ...data, pages } : data, found };
}

/** The lists without the conversations of a deleted contact (the same object when it had none there). */
export function withoutContact(data: ConversationPages | undefined, contactId: string): ConversationPages | undefined {
  if (!data || !data.pages.some((page) => page.items.some((c) => c.contact.id === contactId))) return data;
  return { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.filter((c) => c.contact.id !== contactId) })) };
}

/** The state a conversation's read (or any) answer carries, as a conversation.updated would. */
export function conversationState(c: Conversation): ConversationUpdatedData {
  return {
    conversation_id: c.id,
    contact_id: c.contact.id,
    status: c.status,
    assignee_user_id: c.assignee_user_id ?? null,
    unread_count: c.unread_count,
    last_message_at: c.last_message_at,
    updated_at: c.updated_at ?? "",
  };
}

/**
 * Applies a conversation's state to every cached list and to its detail, newer states only. Lists filtered
 * by status or assignee are read again when `membership` (the state may move the conversation in or out).
 */
export function patchConversationState(
  client: QueryClient,
  tenantId: string,
  event: ConversationUpdatedData,
  membership?: (key: readonly unknown[]) => void,
): string[] {
  const done: string[] = [];
  for (const [key, data] of client.getQueriesData<ConversationPages>({ queryKey: keys.conversationLists(tenantId) })) {
    const { data: next, found } = applyConversationUpdate(data, event);
    if (found) {
      if (next !== data) client.setQueryData(key, next);
      done.push(next !== data ? "list: patched" : "list: stale");
    }
    // A list filtered by status or assignee may have to gain or lose the conversation: read it again.
    const f = filtersOfKey(key);
    if (membership && (f.status || f.assignee) && data) {
      membership(key);
      done.push("list: membership");
    }
  }
  client.setQueryData<InboxConversation>(keys.conversation(tenantId, event.conversation_id), (c) =>
    c ? withConversationState(c, event) : c,
  );
  return done;
}

/** A message as the thread shows it, built from the event until the server's copy replaces it. */
export function messageFromEvent(event: MessageStoredData): ThreadMessage {
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
    _local: "event",
  };
}

const newestFirst = (a: Message, b: Message) => new Date(b.occurred_at).getTime() - new Date(a.occurred_at).getTime();

/**
 * Adds messages to the newest page of a thread (pages are newest first), once each, newest first. A message
 * already there is merged (`mergeMessage`); an outbound message the thread does not have yet takes the place
 * of the agent's optimistic copy with the same text, so a send never shows twice.
 */
export function mergeIntoThread(data: MessagePages | undefined, incoming: Message[]): MessagePages | undefined {
  if (!data || data.pages.length === 0 || incoming.length === 0) return data;
  const byId = new Map(incoming.map((m) => [m.id, m as ThreadMessage]));
  const pages = data.pages.map((page) => ({
    ...page,
    items: page.items.map((m) => {
      const fresh = byId.get(m.id);
      if (!fresh) return m;
      byId.delete(m.id);
      return mergeMessage(m as ThreadMessage, fresh);
    }),
  }));
  const added = [...byId.values()];
  if (added.length === 0) return { ...data, pages };
  const first = pages[0]!;
  let items = first.items as ThreadMessage[];
  for (const message of added.filter((m) => m.direction === "outbound")) {
    const twin = items.findIndex((m) => m._local === "optimistic" && m.preview === message.preview);
    if (twin >= 0) items = items.filter((_, i) => i !== twin);
  }
  items = [...added, ...items].sort(newestFirst);
  return { ...data, pages: [{ ...first, items }, ...pages.slice(1)] };
}

/** The agent's message, shown at once with status "queued" while the send is in flight. */
export function addOptimistic(data: MessagePages | undefined, message: ThreadMessage): MessagePages | undefined {
  if (!data || data.pages.length === 0) return data;
  const [first, ...rest] = data.pages;
  return { ...data, pages: [{ ...first!, items: [message, ...first!.items].sort(newestFirst) }, ...rest] };
}

/** The send was accepted: the server's copy (its id, status "queued") replaces the optimistic one. */
export function confirmOptimistic(data: MessagePages | undefined, localId: string, stored: Message): MessagePages | undefined {
  const without = dropMessage(data, localId);
  return mergeIntoThread(without, [stored]);
}

/** Removes one message (an optimistic copy whose send the server refused). */
export function dropMessage(data: MessagePages | undefined, id: string): MessagePages | undefined {
  if (!data) return data;
  return { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.filter((m) => m.id !== id) })) };
}

/**
 * A delivery status for a message of the thread, applied only when it moves the message forward.
 * `found: false` when the thread does not have the message (yet): the caller re-reads the newest page.
 */
export function applyDeliveryUpdate(
  data: MessagePages | undefined,
  event: DeliveryUpdatedData,
): { data: MessagePages | undefined; found: boolean; changed: boolean } {
  if (!data) return { data, found: false, changed: false };
  let found = false;
  let changed = false;
  const pages = data.pages.map((page) => {
    const index = page.items.findIndex((m) => m.id === event.message_id);
    if (index < 0) return page;
    found = true;
    const message = page.items[index] as ThreadMessage;
    if (!statusAdvances(message.status, event.status)) return page;
    changed = true;
    const updated: ThreadMessage = { ...message, status: event.status, error: event.error ?? null, status_at: event.occurred_at };
    return { ...page, items: page.items.map((m, i) => (i === index ? updated : m)) };
  });
  return { data: changed ? { ...data, pages } : data, found, changed };
}

export interface LiveContext {
  tenantId: string;
  /** Fetches the newest page of a thread (to replace placeholders with the server's messages). */
  fetchNewest?: (conversationId: string) => Promise<MessagePage>;
  /** Marks queries stale and refetches them; the app coalesces bursts (default: at once). */
  invalidate?: (filters: { queryKey: readonly unknown[]; exact?: boolean }) => void;
  /**
   * Re-reads the newest page of a list soon (debounced, with the list's own filters) and applies
   * `reconcileFirstPage`: counts patched from events are then corrected to the server's, whatever the
   * events raced with.
   */
  reconcile?: (listKey: readonly unknown[]) => void;
}

const CONTACT_EVENTS = ["contact.created", "contact.updated", "contact.opted_out", "contact.opted_in", "contact.merged", "contact.deleted"];

/** Applies one event to the query cache; returns what it did (for tests and debugging). */
export function applyLiveEvent(client: QueryClient, envelope: LiveEnvelope, ctx: LiveContext): string[] {
  const done: string[] = [];
  if (envelope.tenant && envelope.tenant !== ctx.tenantId) return ["ignored: other tenant"];
  const invalidate = ctx.invalidate ?? ((filters) => void client.invalidateQueries(filters));
  const lists = client.getQueriesData<ConversationPages>({ queryKey: keys.conversationLists(ctx.tenantId) });
  const refreshThread = (conversationId: string) => {
    const threadKey = keys.messages(ctx.tenantId, conversationId);
    if (!ctx.fetchNewest) {
      invalidate({ queryKey: threadKey });
      return;
    }
    void ctx.fetchNewest(conversationId).then(
      (page) => client.setQueryData<MessagePages>(threadKey, (data) => mergeIntoThread(data, page.items)),
      () => invalidate({ queryKey: threadKey }),
    );
  };

  switch (envelope.type) {
    case "message.stored": {
      const event = envelope.data as unknown as MessageStoredData;
      for (const [key, data] of lists) {
        // A search ranks by relevance: it is read again. A list filtered by status, assignee or channel shows
        // the move at once, then is read again whole (a message can reopen a conversation, so what matches
        // changes). The unfiltered list is patched and its newest page reconciled.
        const f = filtersOfKey(key);
        const { data: next, found } = f.q ? { data, found: false } : applyMessageToList(data, event);
        if (found) {
          client.setQueryData(key, next);
          done.push("list: patched");
        }
        if (f.status || f.assignee || f.channel) {
          invalidate({ queryKey: key, exact: true });
          done.push("list: refetch");
        } else if (!f.q && data && ctx.reconcile) {
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
        if (ctx.fetchNewest) refreshThread(event.conversation_id);
      }
      const detailKey = keys.conversation(ctx.tenantId, event.conversation_id);
      client.setQueryData<Conversation>(detailKey, (c) =>
        c && later(event.occurred_at, c.last_message_at)
          ? { ...c, last_message_at: event.occurred_at, last_message_preview: event.preview }
          : c,
      );
      // A customer's message (re)opens WhatsApp's 24-hour window: the open conversation reads it again.
      if (event.direction === "inbound" && client.getQueryData(detailKey)) {
        invalidate({ queryKey: detailKey });
        done.push("conversation: refetch");
      }
      break;
    }
    case "message.delivery_updated": {
      const event = envelope.data as unknown as DeliveryUpdatedData;
      const threadKey = keys.messages(ctx.tenantId, event.conversation_id);
      const thread = client.getQueryData<MessagePages>(threadKey);
      if (!thread) {
        done.push("thread: not cached");
        break;
      }
      const { data, found, changed } = applyDeliveryUpdate(thread, event);
      if (changed) {
        client.setQueryData(threadKey, data);
        done.push("thread: status");
      } else if (found) {
        done.push("thread: stale status");
      } else {
        // The message is not in the cache yet (the send's answer or its message.stored is still on the way).
        refreshThread(event.conversation_id);
        done.push("thread: refetch");
      }
      break;
    }
    case "conversation.updated": {
      const event = envelope.data as unknown as ConversationUpdatedData;
      done.push(...patchConversationState(client, ctx.tenantId, event, (key) => invalidate({ queryKey: key, exact: true })));
      invalidate({ queryKey: keys.conversation(ctx.tenantId, event.conversation_id) });
      break;
    }
    case "conversation.note_added": {
      const event = envelope.data as { conversation_id?: string };
      if (event.conversation_id) invalidate({ queryKey: keys.notes(ctx.tenantId, event.conversation_id) });
      done.push("notes: refetch");
      break;
    }
    case "contact.import_progressed": {
      const progress = toProgress(envelope.data);
      client.setQueryData<ImportProgress>(keys.contactImport(ctx.tenantId, progress.import_id), (current) =>
        reduceImport(current, progress),
      );
      done.push("import: progress");
      if (progress.state === "completed" || progress.state === "failed") {
        invalidate({ queryKey: keys.contactLists(ctx.tenantId) });
        invalidate({ queryKey: keys.contactTags(ctx.tenantId) });
      }
      break;
    }
    case "conversation.opened":
    case "contact.created":
    case "contact.updated":
    case "contact.opted_out":
    case "contact.opted_in":
    case "contact.merged":
    case "contact.deleted": {
      if (CONTACT_EVENTS.includes(envelope.type)) {
        const contactId = (envelope.data as { contact_id?: string }).contact_id;
        invalidate({ queryKey: keys.contactLists(ctx.tenantId) });
        if (contactId && envelope.type === "contact.deleted") {
          // Their conversations went with them: drop them from every cached list at once, then re-read.
          for (const [key, data] of lists) {
            const next = withoutContact(data, contactId);
            if (next !== data) {
              client.setQueryData(key, next);
              done.push("list: contact's conversations removed");
            }
          }
          client.removeQueries({ queryKey: keys.contact(ctx.tenantId, contactId) });
        } else if (contactId) invalidate({ queryKey: keys.contact(ctx.tenantId, contactId) });
        // Open conversations show whether the contact may be messaged on their channel.
        if (envelope.type === "contact.opted_out" || envelope.type === "contact.opted_in") {
          invalidate({ queryKey: keys.conversationDetails(ctx.tenantId) });
        }
        done.push("contacts: refetch");
        if (!["contact.created", "contact.updated", "contact.merged", "contact.deleted"].includes(envelope.type)) break;
      }
      if (!ctx.reconcile) {
        invalidate({ queryKey: keys.conversationLists(ctx.tenantId) });
        done.push("lists: refetch");
        break;
      }
      for (const [key, data] of lists) {
        const f = filtersOfKey(key);
        if (!f.q && !f.status && !f.assignee && !f.channel && data) {
          ctx.reconcile(key);
          done.push("list: reconcile");
        } else {
          invalidate({ queryKey: key, exact: true });
          done.push("list: refetch");
        }
      }
      break;
    }
    case "campaign.progressed":
    case "campaign.state_changed": {
      const event = campaignEventOf(envelope.type, envelope.data);
      if (event) done.push(...applyCampaignEvent(client, ctx.tenantId, event, invalidate));
      else done.push("ignored: malformed campaign event");
      break;
    }
    default:
      done.push(`ignored: ${envelope.type}`);
  }
  return done;
}
