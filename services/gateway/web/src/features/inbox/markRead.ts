/**
 * Read marks for the open conversation. While a conversation is open and the page visible (focus is not
 * needed: a second monitor, or a headless browser, has none), anything unread in it is marked read:
 * POST /read clears the badge at once (optimistically), the answer and crm's conversation.updated confirm it.
 *
 * Marks are asked for on opening, on each new message, on the page becoming visible, and whenever the cache
 * shows the conversation unread again (a count crm raised after our read, a re-read page, an event that
 * raced the read). They are spaced out (`minGapMs`), but a mark asked for too soon is sent later, never
 * dropped.
 */
import type { QueryCacheNotifyEvent, QueryClient } from "@tanstack/react-query";
import type { InboxConversation } from "@/api/inbox";
import { keys } from "@/api/keys";
import { type ConversationPages, conversationState, patchConversationState } from "@/live/patch";

/** Why a mark is asked for: activity (opening, a new message, the page shown) or an unread count seen. */
export type ReadReason = "activity" | "unread";

export interface ReadMarkerOptions {
  /** Sends the mark; resolves when the server has it. */
  post: () => Promise<unknown>;
  /** Whether the reader can see the conversation (the page is not hidden). */
  isVisible: () => boolean;
  /** Least time between two marks of the conversation. */
  minGapMs?: number;
}

export interface ReadMarker {
  /** Asks for a mark (sent now, or as soon as spacing and visibility allow). */
  request: (reason: ReadReason) => void;
  /** Sends a mark asked for while the page was hidden, now that it may be visible. */
  wake: () => void;
  stop: () => void;
}

export const READ_GAP_MS = 1_000;

/**
 * Schedules the marks of one conversation. After a refused mark (a viewer may not mark, the network is
 * down), unread counts seen no longer ask for one until new activity does: no loop of failing calls.
 */
export function createReadMarker({ post, isVisible, minGapMs = READ_GAP_MS }: ReadMarkerOptions): ReadMarker {
  let wanted = false;
  let inFlight = false;
  let failed = false;
  let stopped = false;
  let lastAt = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const schedule = (wait: number) => {
    if (timer !== undefined || stopped) return;
    timer = setTimeout(run, Math.max(0, wait));
  };
  function run() {
    timer = undefined;
    if (stopped || !wanted || inFlight || !isVisible()) return; // hidden: wake() sends it later
    const wait = lastAt + minGapMs - Date.now();
    if (wait > 0) {
      schedule(wait);
      return;
    }
    wanted = false;
    inFlight = true;
    lastAt = Date.now();
    post().then(
      () => {
        failed = false;
      },
      () => {
        failed = true;
      },
    ).finally(() => {
      inFlight = false;
      if (wanted) schedule(0); // asked for again while this one was on its way
    });
  }

  return {
    request(reason) {
      if (stopped || (reason === "unread" && failed)) return;
      wanted = true;
      // Never inside the caller's stack: requests come from cache notifications, and marking writes the cache.
      if (!inFlight) schedule(0);
    },
    wake() {
      if (wanted && !inFlight) schedule(0);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** The conversation's unread count in a cached list or detail, or 0 when that entry does not have it. */
export function unreadIn(data: unknown, conversationId: string): number {
  if (!data || typeof data !== "object") return 0;
  if ("pages" in data) {
    let unread = 0;
    for (const page of (data as ConversationPages).pages) {
      for (const c of page.items) if (c.id === conversationId) unread = Math.max(unread, c.unread_count);
    }
    return unread;
  }
  const c = data as InboxConversation;
  return c.id === conversationId ? (c.unread_count ?? 0) : 0;
}

/** True when a cache notification shows the conversation unread (in a list or in its detail). */
export function showsUnread(event: QueryCacheNotifyEvent, tenantId: string, conversationId: string): boolean {
  if (event.type !== "updated" && event.type !== "added") return false;
  const key = event.query.queryKey;
  const lists = keys.conversationLists(tenantId);
  const detail = keys.conversation(tenantId, conversationId);
  const isList = lists.every((part, i) => key[i] === part);
  const isDetail = key.length === detail.length && detail.every((part, i) => key[i] === part);
  if (!isList && !isDetail) return false;
  return unreadIn(event.query.state.data, conversationId) > 0;
}

/** True when any cached list or the detail shows the conversation unread. */
export function cachedUnread(client: QueryClient, tenantId: string, conversationId: string): boolean {
  if (unreadIn(client.getQueryData(keys.conversation(tenantId, conversationId)), conversationId) > 0) return true;
  return client
    .getQueriesData<ConversationPages>({ queryKey: keys.conversationLists(tenantId) })
    .some(([, data]) => unreadIn(data, conversationId) > 0);
}

/**
 * One mark: the badge clears in every cached list and the detail at once; the server's answer (the
 * conversation as it now stands) is applied where it is not older than what the cache has, and a refusal
 * brings the server's counts back.
 */
export async function markConversationRead(
  client: QueryClient,
  tenantId: string,
  conversationId: string,
  post: (id: string) => Promise<InboxConversation>,
): Promise<void> {
  for (const [key, data] of client.getQueriesData<ConversationPages>({ queryKey: keys.conversationLists(tenantId) })) {
    if (!data || unreadIn(data, conversationId) === 0) continue;
    client.setQueryData<ConversationPages>(key, {
      ...data,
      pages: data.pages.map((page) => ({
        ...page,
        items: page.items.map((c) => (c.id === conversationId ? { ...c, unread_count: 0 } : c)),
      })),
    });
  }
  client.setQueryData<InboxConversation>(keys.conversation(tenantId, conversationId), (c) =>
    c && c.unread_count ? { ...c, unread_count: 0 } : c,
  );
  try {
    const answer = await post(conversationId);
    if (answer && typeof answer === "object" && "id" in answer) {
      patchConversationState(client, tenantId, conversationState(answer));
    }
  } catch (error) {
    void client.invalidateQueries({ queryKey: keys.conversationLists(tenantId) });
    void client.invalidateQueries({ queryKey: keys.conversation(tenantId, conversationId) });
    throw error;
  }
}
