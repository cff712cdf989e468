import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it, vi } from "vitest";
import type { Conversation, Message, MessagePage } from "@/api";
import { keys } from "@/api/keys";
import {
  addOptimistic,
  applyConversationUpdate,
  applyDeliveryUpdate,
  applyLiveEvent,
  applyMessageToList,
  confirmOptimistic,
  type ConversationPages,
  type DeliveryUpdatedData,
  dropMessage,
  isNotOlder,
  type LiveEnvelope,
  mergeIntoThread,
  messageFromEvent,
  type MessagePages,
  type MessageStoredData,
  reconcileFirstPage,
  stampOf,
  statusAdvances,
  type ThreadMessage,
} from "./patch";

const T = "tenant-1";

function conversation(id: string, at: string, extra: Partial<Conversation> = {}): Conversation {
  return {
    id,
    contact: { id: `contact-${id}`, phone: "+5511999990001", name: `Cliente ${id}` },
    channel: "whatsapp_meta",
    channel_account_id: "acc",
    status: "open",
    unread_count: 0,
    last_message_at: at,
    last_message_preview: `antes ${id}`,
    created_at: at,
    ...extra,
  };
}

function message(id: string, at: string, body = id): Message {
  return {
    id,
    conversation_id: "c2",
    direction: "inbound",
    channel: "whatsapp_meta",
    external_id: `wamid.${id}`,
    content: { kind: "text", body },
    preview: body,
    sender_name: "Maria",
    occurred_at: at,
    created_at: at,
  };
}

const list = (): ConversationPages => ({
  pages: [
    { items: [conversation("c1", "2025-06-18T12:00:00Z"), conversation("c2", "2025-06-18T11:00:00Z")], next_cursor: "p2" },
    { items: [conversation("c3", "2025-06-18T10:00:00Z", { unread_count: 2 })], next_cursor: null },
  ],
  pageParams: [null, "p2"],
});

const stored = (extra: Partial<MessageStoredData> = {}): MessageStoredData => ({
  conversation_id: "c3",
  message_id: "m9",
  contact_id: "contact-c3",
  direction: "inbound",
  channel: "whatsapp_meta",
  external_id: "wamid.9",
  content_kind: "text",
  preview: "oi, tudo bem?",
  occurred_at: "2025-06-18T13:00:00Z",
  ...extra,
});

const envelope = (type: string, data: object, tenant = T): LiveEnvelope => ({
  id: "42",
  type,
  tenant,
  time: "2025-06-18T13:00:01Z",
  data: data as Record<string, unknown>,
});

describe("applyMessageToList", () => {
  it("moves the conversation to the top with the new preview and one more unread", () => {
    const { data, found } = applyMessageToList(list(), stored());
    expect(found).toBe(true);
    const [first, second] = data!.pages;
    expect(first!.items.map((c) => c.id)).toEqual(["c3", "c1", "c2"]);
    expect(first!.items[0]).toMatchObject({ last_message_preview: "oi, tudo bem?", last_message_at: "2025-06-18T13:00:00Z", unread_count: 3 });
    expect(second!.items).toEqual([]);
    expect(data!.pageParams).toEqual([null, "p2"]);
  });

  it("does not count outbound messages as unread", () => {
    const { data } = applyMessageToList(list(), stored({ conversation_id: "c2", direction: "outbound" }));
    expect(data!.pages[0]!.items[0]).toMatchObject({ id: "c2", unread_count: 0 });
  });

  it("keeps the newer preview when an older message arrives late", () => {
    const { data } = applyMessageToList(list(), stored({ conversation_id: "c1", occurred_at: "2025-06-18T09:00:00Z" }));
    expect(data!.pages[0]!.items[0]).toMatchObject({ id: "c1", last_message_preview: "antes c1", unread_count: 1 });
  });

  it("reports a conversation it does not have", () => {
    const before = list();
    const { data, found } = applyMessageToList(before, stored({ conversation_id: "new" }));
    expect(found).toBe(false);
    expect(data).toBe(before);
    expect(applyMessageToList(undefined, stored()).found).toBe(false);
  });
});

describe("applyConversationUpdate", () => {
  it("patches status and unread count in place", () => {
    const { data, found } = applyConversationUpdate(list(), {
      conversation_id: "c3",
      contact_id: "contact-c3",
      status: "closed",
      unread_count: 0,
      updated_at: "2025-06-18T13:00:00Z",
    });
    expect(found).toBe(true);
    expect(data!.pages[1]!.items[0]).toMatchObject({ id: "c3", status: "closed", unread_count: 0 });
  });
});

describe("conversation states arrive out of order", () => {
  const state = (updated_at: string, unread_count: number) => ({
    conversation_id: "c3",
    contact_id: "contact-c3",
    status: "open",
    unread_count,
    updated_at,
  });
  const c3 = (data: ConversationPages | undefined) => data!.pages.flatMap((p) => p.items).find((c) => c.id === "c3")!;

  it("compares stamps to the microsecond, whatever the offset notation", () => {
    expect(stampOf("2025-06-18T13:00:00.000002Z")! - stampOf("2025-06-18T13:00:00.000001Z")!).toBe(1);
    expect(stampOf("2025-06-18T13:00:00+00:00")).toBe(stampOf("2025-06-18T10:00:00-03:00"));
    expect(stampOf("nonsense")).toBeNull();
    expect(isNotOlder("2025-06-18T13:00:00.000002Z", "2025-06-18T13:00:00.000001Z")).toBe(false);
    expect(isNotOlder("2025-06-18T13:00:00.000001Z", "2025-06-18T13:00:00.000001Z")).toBe(true);
    expect(isNotOlder(null, "2025-06-18T13:00:00Z")).toBe(true);
    expect(isNotOlder("2025-06-18T13:00:00Z", "t")).toBe(true);
  });

  it("applies a newer conversation.updated and keeps its stamp; an older one changes nothing", () => {
    const read = applyConversationUpdate(list(), state("2025-06-18T13:00:02.5Z", 0));
    expect(c3(read.data)).toMatchObject({ unread_count: 0, updated_at: "2025-06-18T13:00:02.5Z" });
    // The count crm had before the read, delivered late.
    const late = applyConversationUpdate(read.data, state("2025-06-18T13:00:01Z", 1));
    expect(late.found).toBe(true);
    expect(late.data).toBe(read.data);
    expect(c3(late.data).unread_count).toBe(0);
    // A later message raises it again: that one applies.
    expect(c3(applyConversationUpdate(read.data, state("2025-06-18T13:00:03Z", 1)).data).unread_count).toBe(1);
  });

  it("does not let an older conversation.updated overwrite the open conversation's detail", () => {
    const client = new QueryClient();
    client.setQueryData(keys.conversationList(T, ""), list());
    client.setQueryData(keys.conversation(T, "c3"), conversation("c3", "2025-06-18T10:00:00Z", { unread_count: 2 }));
    const invalidate = vi.fn();
    applyLiveEvent(client, envelope("conversation.updated", state("2025-06-18T13:00:02Z", 0)), { tenantId: T, invalidate });
    const done = applyLiveEvent(client, envelope("conversation.updated", state("2025-06-18T13:00:01Z", 2)), { tenantId: T, invalidate });
    expect(done).toContain("list: stale");
    expect(c3(client.getQueryData<ConversationPages>(keys.conversationList(T, ""))).unread_count).toBe(0);
    expect(client.getQueryData<Conversation>(keys.conversation(T, "c3"))).toMatchObject({ unread_count: 0 });
  });

  it("keeps a newer cached state when a re-read page raced it, and takes the page when it is newer", () => {
    const read = applyConversationUpdate(list(), state("2025-06-18T13:00:02Z", 0)).data;
    const stalePage = {
      items: [conversation("c3", "2025-06-18T13:00:00Z", { unread_count: 3, updated_at: "2025-06-18T13:00:01Z", last_message_preview: "novo" })],
      next_cursor: null,
    };
    const kept = c3(reconcileFirstPage(read, stalePage));
    expect(kept).toMatchObject({ unread_count: 0, updated_at: "2025-06-18T13:00:02Z", last_message_preview: "novo" });
    const newerPage = { items: [{ ...stalePage.items[0]!, updated_at: "2025-06-18T13:00:05Z" }], next_cursor: null };
    expect(c3(reconcileFirstPage(read, newerPage))).toMatchObject({ unread_count: 3, updated_at: "2025-06-18T13:00:05Z" });
  });
});

describe("mergeIntoThread", () => {
  const thread = (): MessagePages => ({
    pages: [
      { items: [message("m2", "2025-06-18T12:00:00Z"), message("m1", "2025-06-18T11:00:00Z")], next_cursor: "older" },
      { items: [message("m0", "2025-06-18T10:00:00Z")], next_cursor: null },
    ],
    pageParams: [null, "older"],
  });

  it("adds new messages to the newest page, newest first, once", () => {
    const merged = mergeIntoThread(thread(), [message("m3", "2025-06-18T13:00:00Z")]);
    const again = mergeIntoThread(merged, [message("m3", "2025-06-18T13:00:00Z")]);
    expect(again!.pages[0]!.items.map((m) => m.id)).toEqual(["m3", "m2", "m1"]);
    expect(again!.pages[1]!.items.map((m) => m.id)).toEqual(["m0"]);
  });

  it("replaces a placeholder with the server's copy", () => {
    const placeholder = { ...message("m3", "2025-06-18T13:00:00Z", "oi"), sender_name: null };
    const merged = mergeIntoThread(mergeIntoThread(thread(), [placeholder]), [message("m3", "2025-06-18T13:00:00Z", "oi")]);
    expect(merged!.pages[0]!.items[0]!.sender_name).toBe("Maria");
    expect(merged!.pages[0]!.items).toHaveLength(3);
  });
});

describe("applyLiveEvent", () => {
  function seeded() {
    const client = new QueryClient();
    client.setQueryData(keys.conversationList(T, ""), list());
    client.setQueryData(keys.conversationList(T, "maria"), list());
    return client;
  }

  it("patches the unfiltered list and refetches filtered ones on message.stored", () => {
    const client = seeded();
    const spy = vi.spyOn(client, "invalidateQueries");
    const done = applyLiveEvent(client, envelope("message.stored", stored()), { tenantId: T });
    expect(done).toEqual(expect.arrayContaining(["list: patched", "list: refetch"]));
    const data = client.getQueryData<ConversationPages>(keys.conversationList(T, ""));
    expect(data!.pages[0]!.items[0]!.id).toBe("c3");
    expect(spy).toHaveBeenCalledWith({ queryKey: keys.conversationList(T, "maria"), exact: true });
  });

  it("refetches the list when the conversation is new", () => {
    const client = seeded();
    const spy = vi.spyOn(client, "invalidateQueries");
    applyLiveEvent(client, envelope("message.stored", stored({ conversation_id: "brand-new" })), { tenantId: T });
    expect(spy).toHaveBeenCalledWith({ queryKey: keys.conversationList(T, ""), exact: true });
  });

  it("appends the message to the open thread and then takes the server's newest page", async () => {
    const client = seeded();
    const threadKey = keys.messages(T, "c3");
    client.setQueryData<MessagePages>(threadKey, {
      pages: [{ items: [message("m1", "2025-06-18T10:00:00Z")], next_cursor: null }],
      pageParams: [null],
    });
    const server: MessagePage = {
      items: [{ ...message("m9", "2025-06-18T13:00:00Z", "oi, tudo bem?"), conversation_id: "c3" }, message("m1", "2025-06-18T10:00:00Z")],
      next_cursor: null,
    };
    let resolve!: (page: MessagePage) => void;
    const fetchNewest = vi.fn(() => new Promise<MessagePage>((r) => (resolve = r)));
    applyLiveEvent(client, envelope("message.stored", stored()), { tenantId: T, fetchNewest });

    const patched = client.getQueryData<MessagePages>(threadKey)!;
    expect(patched.pages[0]!.items.map((m) => m.id)).toEqual(["m9", "m1"]);
    expect(patched.pages[0]!.items[0]!.content).toEqual({ kind: "text", body: "oi, tudo bem?" });
    expect(fetchNewest).toHaveBeenCalledWith("c3");

    resolve(server);
    await vi.waitFor(() => expect(client.getQueryData<MessagePages>(threadKey)!.pages[0]!.items[0]!.sender_name).toBe("Maria"));
    expect(client.getQueryData<MessagePages>(threadKey)!.pages[0]!.items).toHaveLength(2);
  });

  it("leaves threads that are not cached alone", () => {
    const client = seeded();
    const fetchNewest = vi.fn();
    applyLiveEvent(client, envelope("message.stored", stored()), { tenantId: T, fetchNewest });
    expect(fetchNewest).not.toHaveBeenCalled();
    expect(client.getQueryData(keys.messages(T, "c3"))).toBeUndefined();
  });

  it("refetches the lists when a conversation opens or a contact appears", () => {
    for (const type of ["conversation.opened", "contact.created"]) {
      const client = seeded();
      const spy = vi.spyOn(client, "invalidateQueries");
      applyLiveEvent(client, envelope(type, { conversation_id: "x" }), { tenantId: T });
      expect(spy).toHaveBeenCalledWith({ queryKey: keys.conversationLists(T) });
    }
  });

  it("ignores another tenant's events and unknown types", () => {
    const client = seeded();
    const before = client.getQueryData(keys.conversationList(T, ""));
    expect(applyLiveEvent(client, envelope("message.stored", stored(), "tenant-2"), { tenantId: T })).toEqual(["ignored: other tenant"]);
    expect(applyLiveEvent(client, envelope("campaign.started", {}), { tenantId: T })).toEqual(["ignored: campaign.started"]);
    expect(client.getQueryData(keys.conversationList(T, ""))).toBe(before);
  });
});

describe("reconcileFirstPage", () => {
  it("takes the server's counts and new conversations, and keeps the ones pushed down", () => {
    const server = {
      items: [
        conversation("new", "2025-06-18T14:00:00Z", { unread_count: 1 }),
        conversation("c3", "2025-06-18T13:00:00Z", { unread_count: 5 }),
      ],
      next_cursor: "server-cursor",
    };
    const data = reconcileFirstPage(list(), server)!;
    expect(data.pages[0]!.items.map((c) => [c.id, c.unread_count])).toEqual([
      ["new", 1],
      ["c3", 5],
      ["c1", 0],
      ["c2", 0],
    ]);
    expect(data.pages[0]!.next_cursor).toBe("p2");
    expect(data.pages[1]!.items).toEqual([]);
    expect(data.pageParams).toEqual([null, "p2"]);
  });

  it("continues with the server's cursor when the cached list had no more pages", () => {
    const one: ConversationPages = { pages: [{ items: [conversation("c1", "2025-06-18T12:00:00Z")], next_cursor: null }], pageParams: [null] };
    const data = reconcileFirstPage(one, { items: [conversation("c9", "2025-06-18T15:00:00Z")], next_cursor: "more" })!;
    expect(data.pages[0]!.items.map((c) => c.id)).toEqual(["c9", "c1"]);
    expect(data.pages[0]!.next_cursor).toBe("more");
  });

  it("patches a filtered list and reads it again whole on message.stored", () => {
    const client = new QueryClient();
    client.setQueryData(keys.conversationList(T, { status: "open" }), list());
    const reconcile = vi.fn();
    const invalidate = vi.fn();
    const done = applyLiveEvent(client, envelope("message.stored", stored()), { tenantId: T, reconcile, invalidate });
    expect(done).toEqual(["list: patched", "list: refetch"]);
    expect(client.getQueryData<ConversationPages>(keys.conversationList(T, { status: "open" }))!.pages[0]!.items[0]!.id).toBe("c3");
    expect(invalidate).toHaveBeenCalledWith({ queryKey: keys.conversationList(T, { status: "open" }), exact: true });
    expect(reconcile).not.toHaveBeenCalled();
  });

  it("asks for a reconcile (not a full refetch) of unfiltered lists on message.stored", () => {
    const client = new QueryClient();
    client.setQueryData(keys.conversationList(T, ""), list());
    const reconcile = vi.fn();
    const invalidate = vi.fn();
    const done = applyLiveEvent(client, envelope("message.stored", stored({ conversation_id: "brand-new" })), {
      tenantId: T,
      reconcile,
      invalidate,
    });
    expect(done).toEqual(["list: reconcile"]);
    expect(reconcile).toHaveBeenCalledWith(keys.conversationList(T, ""));
    expect(invalidate).not.toHaveBeenCalled();
  });
});

describe("delivery ticks", () => {
  const outbound = (id: string, status: string | null, extra: Partial<ThreadMessage> = {}): ThreadMessage => ({
    ...message(id, "2025-06-18T12:00:00Z"),
    conversation_id: "c2",
    direction: "outbound",
    status,
    ...extra,
  });
  const thread = (...items: ThreadMessage[]): MessagePages => ({ pages: [{ items, next_cursor: null }], pageParams: [null] });
  const update = (status: string, extra: Partial<DeliveryUpdatedData> = {}): DeliveryUpdatedData => ({
    conversation_id: "c2",
    message_id: "m1",
    status,
    occurred_at: "2025-06-18T12:00:05Z",
    ...extra,
  });

  it("orders statuses like the server: forward only, failed apart", () => {
    expect(statusAdvances(null, "queued")).toBe(true);
    expect(statusAdvances("queued", "accepted")).toBe(true);
    expect(statusAdvances("accepted", "sent")).toBe(true);
    expect(statusAdvances("sent", "read")).toBe(true);
    expect(statusAdvances("read", "delivered")).toBe(false);
    expect(statusAdvances("delivered", "sent")).toBe(false);
    expect(statusAdvances("sent", "sent")).toBe(false);
    expect(statusAdvances("sent", "failed")).toBe(true);
    expect(statusAdvances("delivered", "failed")).toBe(false);
    expect(statusAdvances("failed", "read")).toBe(false);
    expect(statusAdvances("queued", null)).toBe(false);
  });

  it("never moves a message backwards, whatever order events arrive in", () => {
    const orders = [
      ["sent", "delivered", "read"],
      ["read", "sent", "delivered"],
      ["delivered", "read", "sent", "delivered"],
      ["read", "read", "sent"],
    ];
    for (const order of orders) {
      let data: MessagePages | undefined = thread(outbound("m1", "queued"));
      for (const status of order) data = applyDeliveryUpdate(data, update(status)).data;
      expect(data!.pages[0]!.items[0]).toMatchObject({ status: "read" });
    }
  });

  it("records a failure with its reason, and a late delivery does not undo it", () => {
    const error = { code: "131026", title: "Message undeliverable", classification: "permanent" as const };
    let result = applyDeliveryUpdate(thread(outbound("m1", "sent")), update("failed", { error }));
    expect(result.changed).toBe(true);
    expect(result.data!.pages[0]!.items[0]).toMatchObject({ status: "failed", error, status_at: "2025-06-18T12:00:05Z" });
    result = applyDeliveryUpdate(result.data, update("delivered"));
    expect(result).toMatchObject({ found: true, changed: false });
    expect(result.data!.pages[0]!.items[0]).toMatchObject({ status: "failed" });
  });

  it("reports a message it does not have", () => {
    expect(applyDeliveryUpdate(thread(outbound("m2", "sent")), update("read"))).toMatchObject({ found: false, changed: false });
  });

  it("keeps the further status when an older copy of the message comes back from the server", () => {
    const merged = mergeIntoThread(thread(outbound("m1", "delivered")), [outbound("m1", "sent", { sender_name: "Ana" })]);
    expect(merged!.pages[0]!.items[0]).toMatchObject({ status: "delivered", sender_name: "Ana" });
    const newer = mergeIntoThread(thread(outbound("m1", "sent")), [outbound("m1", "read")]);
    expect(newer!.pages[0]!.items[0]).toMatchObject({ status: "read" });
  });

  it("does not let an event placeholder replace the server's copy", () => {
    const server = outbound("m1", "sent", { content: { kind: "image", storage_key: "t/ab/abc" }, sender_name: "Ana" });
    const placeholder = { ...messageFromEvent(stored({ conversation_id: "c2", message_id: "m1", direction: "outbound" })) };
    const merged = mergeIntoThread(thread(server), [placeholder]);
    expect(merged!.pages[0]!.items[0]).toBe(server);
  });

  it("shows an optimistic message, then the server's copy once, whichever arrives first", () => {
    const local = outbound("local-1", "queued", { _local: "optimistic", preview: "oi!", occurred_at: "2025-06-18T13:00:00Z" });
    const server = outbound("m9", "queued", { preview: "oi!", occurred_at: "2025-06-18T13:00:01Z" });
    // The send's answer first.
    let data = addOptimistic(thread(outbound("m1", "read")), local);
    expect(data!.pages[0]!.items.map((m) => m.id)).toEqual(["local-1", "m1"]);
    data = confirmOptimistic(data, "local-1", server);
    expect(data!.pages[0]!.items.map((m) => m.id)).toEqual(["m9", "m1"]);
    // Or message.stored first: the event's copy takes the optimistic one's place, then the answer merges.
    let racing = addOptimistic(thread(outbound("m1", "read")), local);
    racing = mergeIntoThread(racing, [messageFromEvent(stored({ conversation_id: "c2", message_id: "m9", direction: "outbound", preview: "oi!" }))]);
    expect(racing!.pages[0]!.items.map((m) => m.id)).toEqual(["m9", "m1"]);
    racing = confirmOptimistic(racing, "local-1", server);
    expect(racing!.pages[0]!.items.map((m) => m.id)).toEqual(["m9", "m1"]);
    expect(racing!.pages[0]!.items[0]).toMatchObject({ status: "queued" });
    expect(dropMessage(addOptimistic(thread(), local), "local-1")!.pages[0]!.items).toEqual([]);
  });

  it("patches a cached thread from message.delivery_updated and re-reads it when the message is unknown", () => {
    const client = new QueryClient();
    const key = keys.messages(T, "c2");
    client.setQueryData<MessagePages>(key, thread(outbound("m1", "sent")));
    const fetchNewest = vi.fn(async () => ({ items: [outbound("m7", "delivered")], next_cursor: null }));
    expect(applyLiveEvent(client, envelope("message.delivery_updated", update("delivered")), { tenantId: T, fetchNewest })).toEqual([
      "thread: status",
    ]);
    expect(client.getQueryData<MessagePages>(key)!.pages[0]!.items[0]).toMatchObject({ status: "delivered" });
    expect(applyLiveEvent(client, envelope("message.delivery_updated", update("sent")), { tenantId: T, fetchNewest })).toEqual([
      "thread: stale status",
    ]);
    expect(applyLiveEvent(client, envelope("message.delivery_updated", update("read", { message_id: "m7" })), { tenantId: T, fetchNewest })).toEqual([
      "thread: refetch",
    ]);
    expect(fetchNewest).toHaveBeenCalledWith("c2");
    expect(applyLiveEvent(client, envelope("message.delivery_updated", update("read", { conversation_id: "zz" })), { tenantId: T })).toEqual([
      "thread: not cached",
    ]);
  });
});

describe("other live events", () => {
  it("follows an import's progress forward only", () => {
    const client = new QueryClient();
    const data = (processed: number, state = "running") => ({
      import_id: "imp",
      state,
      total_rows: 100,
      processed_rows: processed,
      imported_rows: processed,
      failed_rows: 0,
      occurred_at: "2025-06-18T13:00:00Z",
    });
    const invalidate = vi.fn();
    applyLiveEvent(client, envelope("contact.import_progressed", data(40)), { tenantId: T, invalidate });
    applyLiveEvent(client, envelope("contact.import_progressed", data(20)), { tenantId: T, invalidate });
    expect(client.getQueryData(keys.contactImport(T, "imp"))).toMatchObject({ processed_rows: 40, state: "running" });
    expect(invalidate).not.toHaveBeenCalled();
    applyLiveEvent(client, envelope("contact.import_progressed", data(100, "completed")), { tenantId: T, invalidate });
    expect(client.getQueryData(keys.contactImport(T, "imp"))).toMatchObject({ processed_rows: 100, state: "completed" });
    expect(invalidate).toHaveBeenCalledWith({ queryKey: keys.contactLists(T) });
  });

  it("patches assignee and status, and re-reads lists filtered by them", () => {
    const client = new QueryClient();
    client.setQueryData(keys.conversationList(T, ""), list());
    client.setQueryData(keys.conversationList(T, { assignee: "me" }), list());
    client.setQueryData(keys.conversation(T, "c1"), conversation("c1", "2025-06-18T12:00:00Z"));
    const reconcile = vi.fn();
    const invalidate = vi.fn();
    const event = { conversation_id: "c1", contact_id: "x", status: "resolved", assignee_user_id: "u1", unread_count: 0, updated_at: "t" };
    applyLiveEvent(client, envelope("conversation.updated", event), { tenantId: T, reconcile, invalidate });
    const all = client.getQueryData<ConversationPages>(keys.conversationList(T, ""))!;
    expect(all.pages[0]!.items[0]).toMatchObject({ id: "c1", status: "resolved", assignee_user_id: "u1" });
    expect(reconcile).not.toHaveBeenCalled();
    expect(invalidate).toHaveBeenCalledWith({ queryKey: keys.conversationList(T, { assignee: "me" }), exact: true });
    expect(invalidate).not.toHaveBeenCalledWith({ queryKey: keys.conversationList(T, ""), exact: true });
    expect(client.getQueryData(keys.conversation(T, "c1"))).toMatchObject({ status: "resolved", assignee_user_id: "u1" });
  });

  it("re-reads the open conversation when the customer writes (the service window reopens)", () => {
    const client = new QueryClient();
    client.setQueryData(keys.conversation(T, "c3"), conversation("c3", "2025-06-18T10:00:00Z"));
    const invalidate = vi.fn();
    const done = applyLiveEvent(client, envelope("message.stored", stored()), { tenantId: T, invalidate });
    expect(done).toContain("conversation: refetch");
    expect(invalidate).toHaveBeenCalledWith({ queryKey: keys.conversation(T, "c3") });
  });

  it("drops a deleted contact's conversations from every list at once", () => {
    const client = new QueryClient();
    client.setQueryData(keys.conversationList(T, ""), list());
    client.setQueryData(keys.conversationList(T, { status: "open" }), list());
    client.setQueryData(keys.contact(T, "contact-c1"), { id: "contact-c1" });
    const invalidate = vi.fn();
    const done = applyLiveEvent(client, envelope("contact.deleted", { contact_id: "contact-c1" }), { tenantId: T, invalidate });
    for (const filters of ["", { status: "open" }] as const) {
      const ids = client.getQueryData<ConversationPages>(keys.conversationList(T, filters))!.pages.flatMap((p) => p.items.map((c) => c.id));
      expect(ids).not.toContain("c1");
      expect(ids.length).toBeGreaterThan(0);
    }
    expect(done).toContain("list: contact's conversations removed");
    expect(client.getQueryData(keys.contact(T, "contact-c1"))).toBeUndefined();
    expect(invalidate).toHaveBeenCalledWith({ queryKey: keys.contactLists(T) });
  });

  it("refreshes notes and contacts", () => {
    const client = new QueryClient();
    const invalidate = vi.fn();
    applyLiveEvent(client, envelope("conversation.note_added", { conversation_id: "c1" }), { tenantId: T, invalidate });
    expect(invalidate).toHaveBeenCalledWith({ queryKey: keys.notes(T, "c1") });
    applyLiveEvent(client, envelope("contact.opted_out", { contact_id: "k1" }), { tenantId: T, invalidate });
    expect(invalidate).toHaveBeenCalledWith({ queryKey: keys.contactLists(T) });
    expect(invalidate).toHaveBeenCalledWith({ queryKey: keys.contact(T, "k1") });
    expect(invalidate).toHaveBeenCalledWith({ queryKey: keys.conversationDetails(T) });
  });
});
