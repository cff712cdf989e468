import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it, vi } from "vitest";
import type { Conversation, Message, MessagePage } from "@/api";
import { keys } from "@/api/keys";
import {
  applyConversationUpdate,
  applyLiveEvent,
  applyMessageToList,
  type ConversationPages,
  type LiveEnvelope,
  mergeIntoThread,
  type MessagePages,
  type MessageStoredData,
  reconcileFirstPage,
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
