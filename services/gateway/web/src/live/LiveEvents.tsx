import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { api, PAGE_SIZE } from "@/api";
import { notifySessionExpired } from "@/api/client";
import { campaignKeys } from "@/api/campaigns";
import { inboxApi } from "@/api/inbox";
import { filtersOfKey, keys } from "@/api/keys";
import { createLiveBus, type LiveBus, type LiveListener } from "./bus";
import { applyLiveEvent, type ConversationPages, type LiveEnvelope, reconcileFirstPage } from "./patch";

export type LiveStatus = "connecting" | "connected" | "reconnecting";

/** The event types the dashboard reacts to (EventSource only delivers named events one listens for). */
export const LIVE_EVENT_TYPES = [
  "message.stored",
  "conversation.opened",
  "conversation.updated",
  "contact.created",
  "contact.updated",
  "message.delivery_updated",
  "conversation.note_added",
  "contact.import_progressed",
  "contact.opted_out",
  "contact.opted_in",
  "contact.merged",
  "contact.deleted",
  "campaign.progressed",
  "campaign.state_changed",
] as const;

// Contact lists refetch at most this often while contacts change (an import creates thousands a second).
const CONTACTS_REFETCH_MS = 2_000;

export const EVENTS_URL = "/api/v1/events";

/** The stream's URL, resuming after `lastEventId` when there is one. */
export function eventsUrl(lastEventId: string): string {
  return lastEventId ? `${EVENTS_URL}?last_event_id=${encodeURIComponent(lastEventId)}` : EVENTS_URL;
}

const LiveStatusContext = createContext<LiveStatus>("connecting");

export function useLiveStatus(): LiveStatus {
  return useContext(LiveStatusContext);
}

// Outside a provider (signed out, tests) nothing is ever published.
const LiveBusContext = createContext<LiveBus>(createLiveBus());

/** Calls `listener` (its latest version) with every event of the app-wide feed while the component is mounted. */
export function useLiveEvents(listener: LiveListener): void {
  const bus = useContext(LiveBusContext);
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => bus.subscribe((envelope) => latest.current(envelope)), [bus]);
}

/**
 * One EventSource for the signed-in tenant (re-opened when the tenant changes). The browser reconnects by
 * itself and sends Last-Event-ID, so the server replays what was missed; if the browser gives up (the stream
 * answered an error status), we check the session (a 401 sends the user to sign in) and open a new one with
 * a growing delay, resuming from the last event id seen.
 */
export function LiveEventsProvider({ tenantId, children }: { tenantId: string | null; children: ReactNode }) {
  const client = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const [bus] = useState(createLiveBus);

  useEffect(() => {
    if (!tenantId || typeof EventSource === "undefined") return;
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let attempts = 0;
    let stopped = false;
    let everOpen = false;
    let lastEventId = "";
    // Bursts of events become one refetch per query every 100 ms at most.
    const pending = new Map<string, { queryKey: readonly unknown[]; exact?: boolean }>();
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let contactsTimer: ReturnType<typeof setTimeout> | undefined;
    let contactsAt = 0;
    const invalidate = (filters: { queryKey: readonly unknown[]; exact?: boolean }) => {
      if (filters.queryKey[2] === "contacts") {
        if (contactsTimer) return;
        const wait = Math.max(0, contactsAt + CONTACTS_REFETCH_MS - Date.now());
        contactsTimer = setTimeout(() => {
          contactsTimer = undefined;
          contactsAt = Date.now();
          void client.invalidateQueries({ queryKey: keys.contactLists(tenantId) });
        }, wait);
        return;
      }
      pending.set(JSON.stringify(filters), filters);
      flushTimer ??= setTimeout(() => {
        flushTimer = undefined;
        const batch = [...pending.values()];
        pending.clear();
        for (const f of batch) void client.invalidateQueries(f);
      }, 100);
    };
    // After a message, the newest page is read again once things calm down (400 ms after the last event,
    // at least every 2 s during a burst): live patches are optimistic, the server's counts are the truth.
    const reconciling = new Map<string, { key: readonly unknown[]; timer: ReturnType<typeof setTimeout>; since: number }>();
    const reconcile = (key: readonly unknown[]) => {
      const id = JSON.stringify(key);
      const entry = reconciling.get(id);
      const since = entry?.since ?? Date.now();
      if (entry) clearTimeout(entry.timer);
      const wait = Math.max(0, Math.min(400, since + 2_000 - Date.now()));
      const timer = setTimeout(() => {
        reconciling.delete(id);
        inboxApi.conversations({ ...filtersOfKey(key), limit: PAGE_SIZE.conversations }).then(
          (page) => client.setQueryData<ConversationPages>(key, (data) => reconcileFirstPage(data, page)),
          () => invalidate({ queryKey: key, exact: true }),
        );
      }, wait);
      reconciling.set(id, { key, timer, since });
    };
    const ctx = {
      tenantId,
      invalidate,
      reconcile,
      fetchNewest: (conversationId: string) => api.messages(conversationId, { limit: PAGE_SIZE.messages }),
    };

    const onEvent = (event: MessageEvent<string>) => {
      if (event.lastEventId) lastEventId = event.lastEventId;
      try {
        const envelope = JSON.parse(event.data) as LiveEnvelope;
        if (!envelope.type) envelope.type = event.type;
        applyLiveEvent(client, envelope, ctx);
        bus.publish(envelope);
      } catch {
        /* a malformed event is skipped; the next refetch corrects the view */
      }
    };

    const connect = () => {
      setStatus(everOpen ? "reconnecting" : "connecting");
      // A new EventSource resumes after the last event seen (?last_event_id); the browser's own reconnects
      // send the Last-Event-ID header, which the server prefers.
      const resumeFrom = lastEventId;
      source = new EventSource(eventsUrl(resumeFrom), { withCredentials: true });
      let opened = false;
      source.onopen = () => {
        if (!opened && !resumeFrom) {
          // Nothing to resume from: catch up on what may have happened before the stream opened.
          // A list still loading for the first time is not restarted, only marked stale.
          void client.invalidateQueries({ queryKey: keys.conversationLists(tenantId) }, { cancelRefetch: false });
          for (const queryKey of campaignKeys.followed(tenantId)) void client.invalidateQueries({ queryKey }, { cancelRefetch: false });
        }
        opened = true;
        attempts = 0;
        everOpen = true;
        setStatus("connected");
      };
      source.onerror = () => {
        if (!source || stopped) return;
        if (source.readyState === EventSource.CONNECTING) {
          setStatus("reconnecting"); // the browser retries by itself, with Last-Event-ID
          return;
        }
        // CLOSED: the browser gave up (an error status). Signed out → sign in again; else retry with backoff.
        source.close();
        source = null;
        setStatus("reconnecting");
        void api.me().then(
          (me) => me === null && notifySessionExpired(),
          () => undefined,
        );
        const delay = Math.min(30_000, 1_000 * 2 ** attempts) * (0.75 + Math.random() * 0.5);
        attempts += 1;
        retryTimer = setTimeout(() => !stopped && connect(), delay);
      };
      source.onmessage = onEvent;
      for (const type of LIVE_EVENT_TYPES) source.addEventListener(type, onEvent as EventListener);
    };

    connect();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      clearTimeout(flushTimer);
      clearTimeout(contactsTimer);
      reconciling.forEach((entry) => clearTimeout(entry.timer));
      source?.close();
    };
  }, [tenantId, client, bus]);

  return (
    <LiveStatusContext.Provider value={status}>
      <LiveBusContext.Provider value={bus}>{children}</LiveBusContext.Provider>
    </LiveStatusContext.Provider>
  );
}
