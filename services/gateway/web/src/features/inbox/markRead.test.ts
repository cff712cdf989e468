import { QueryClient } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Conversation } from "@/api";
import type { InboxConversation } from "@/api/inbox";
import { keys } from "@/api/keys";
import type { ConversationPages } from "@/live/patch";
import { applyLiveEvent } from "@/live/patch";
import { cachedUnread, createReadMarker, markConversationRead, showsUnread } from "./markRead";

const T = "tenant-1";

function conversation(id: string, extra: Partial<Conversation> = {}): Conversation {
  return {
    id,
    contact: { id: `contact-${id}`, phone: "+5511999990001", name: `Cliente ${id}` },
    channel: "whatsapp_meta",
    channel_account_id: "acc",
    status: "open",
    unread_count: 0,
    last_message_at: "2025-06-18T12:00:00Z",
    last_message_preview: "oi",
    created_at: "2025-06-18T12:00:00Z",
    updated_at: "2025-06-18T12:00:00Z",
    ...extra,
  };
}

const listWith = (...items: Conversation[]): ConversationPages => ({ pages: [{ items, next_cursor: null }], pageParams: [null] });
const unreadOfC1 = (client: QueryClient) =>
  client.getQueryData<ConversationPages>(keys.conversationList(T, ""))!.pages[0]!.items.find((c) => c.id === "c1")!.unread_count;

describe("createReadMarker", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  function setup(options: { visible?: boolean; fail?: boolean } = {}) {
    const state = { visible: options.visible ?? true, fail: options.fail ?? false };
    const post = vi.fn(() => (state.fail ? Promise.reject(new Error("refused")) : Promise.resolve()));
    const marker = createReadMarker({ post, isVisible: () => state.visible, minGapMs: 1_000 });
    return { state, post, marker };
  }

  it("marks at once, and a mark asked for too soon is sent later instead of being dropped", async () => {
    const { post, marker } = setup();
    marker.request("activity");
    await vi.advanceTimersByTimeAsync(0);
    expect(post).toHaveBeenCalledTimes(1);
    // A new message 200 ms later (the reader just opened the thread).
    await vi.advanceTimersByTimeAsync(200);
    marker.request("activity");
    await vi.advanceTimersByTimeAsync(500);
    expect(post).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(300);
    expect(post).toHaveBeenCalledTimes(2);
  });

  it("coalesces requests and marks again when asked while a mark was on its way", async () => {
    let finish!: () => void;
    const post = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const marker = createReadMarker({ post, isVisible: () => true, minGapMs: 1_000 });
    marker.request("activity");
    marker.request("unread");
    await vi.advanceTimersByTimeAsync(0);
    expect(post).toHaveBeenCalledTimes(1);
    // crm raised the count after our read reached it: the cache shows it unread again.
    marker.request("unread");
    finish();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(post).toHaveBeenCalledTimes(2);
    finish();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(post).toHaveBeenCalledTimes(2);
  });

  it("does not require focus, only a visible page; a hidden page marks when shown again", async () => {
    const { state, post, marker } = setup({ visible: false });
    marker.request("activity");
    await vi.advanceTimersByTimeAsync(5_000);
    expect(post).not.toHaveBeenCalled();
    state.visible = true;
    marker.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(post).toHaveBeenCalledTimes(1);
  });

  it("after a refusal, unread counts no longer ask for marks (no loop); new activity does", async () => {
    const { state, post, marker } = setup({ fail: true });
    marker.request("activity");
    await vi.advanceTimersByTimeAsync(0);
    expect(post).toHaveBeenCalledTimes(1);
    marker.request("unread");
    await vi.advanceTimersByTimeAsync(5_000);
    expect(post).toHaveBeenCalledTimes(1);
    state.fail = false;
    marker.request("activity");
    await vi.advanceTimersByTimeAsync(0);
    expect(post).toHaveBeenCalledTimes(2);
    marker.request("unread");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(post).toHaveBeenCalledTimes(3);
  });

  it("sends nothing once stopped", async () => {
    const { post, marker } = setup();
    marker.request("activity");
    marker.stop();
    marker.request("activity");
    await vi.advanceTimersByTimeAsync(5_000);
    expect(post).not.toHaveBeenCalled();
  });
});

describe("markConversationRead", () => {
  function seeded() {
    const client = new QueryClient();
    client.setQueryData(keys.conversationList(T, ""), listWith(conversation("c1", { unread_count: 2 }), conversation("c2", { unread_count: 1 })));
    client.setQueryData(keys.conversation(T, "c1"), conversation("c1", { unread_count: 2 }));
    return client;
  }

  it("clears the badge at once and takes the server's answer", async () => {
    const client = seeded();
    let answer!: (c: InboxConversation) => void;
    const post = vi.fn(() => new Promise<InboxConversation>((resolve) => (answer = resolve)));
    const done = markConversationRead(client, T, "c1", post);
    expect(post).toHaveBeenCalledWith("c1");
    expect(unreadOfC1(client)).toBe(0);
    expect(client.getQueryData<InboxConversation>(keys.conversation(T, "c1"))!.unread_count).toBe(0);
    expect(client.getQueryData<ConversationPages>(keys.conversationList(T, ""))!.pages[0]!.items[1]!.unread_count).toBe(1);
    answer(conversation("c1", { unread_count: 0, updated_at: "2025-06-18T12:00:05Z" }));
    await done;
    expect(client.getQueryData<InboxConversation>(keys.conversation(T, "c1"))!.updated_at).toBe("2025-06-18T12:00:05Z");
  });

  it("a late conversation.updated from before the read does not bring the badge back", async () => {
    const client = seeded();
    await markConversationRead(client, T, "c1", async () => conversation("c1", { unread_count: 0, updated_at: "2025-06-18T12:00:05Z" }));
    const stale = { conversation_id: "c1", contact_id: "contact-c1", status: "open", unread_count: 3, updated_at: "2025-06-18T12:00:04Z" };
    applyLiveEvent(client, { id: "1", type: "conversation.updated", tenant: T, time: "", data: stale }, { tenantId: T, invalidate: () => {} });
    expect(unreadOfC1(client)).toBe(0);
    expect(cachedUnread(client, T, "c1")).toBe(false);
  });

  it("brings the server's counts back when the mark is refused", async () => {
    const client = seeded();
    const spy = vi.spyOn(client, "invalidateQueries");
    await expect(markConversationRead(client, T, "c1", () => Promise.reject(new Error("403")))).rejects.toThrow("403");
    expect(spy).toHaveBeenCalledWith({ queryKey: keys.conversationLists(T) });
    expect(spy).toHaveBeenCalledWith({ queryKey: keys.conversation(T, "c1") });
  });
});

describe("showsUnread", () => {
  it("notices the open conversation unread in a list or its detail, and nothing else", () => {
    const client = new QueryClient();
    const seen: boolean[] = [];
    const unsubscribe = client.getQueryCache().subscribe((event) => seen.push(showsUnread(event, T, "c1")));
    client.setQueryData(keys.conversationList(T, ""), listWith(conversation("c1", { unread_count: 1 })));
    expect(seen.at(-1)).toBe(true);
    seen.length = 0;
    client.setQueryData(keys.conversationList(T, ""), listWith(conversation("c1"), conversation("c2", { unread_count: 4 })));
    client.setQueryData(keys.conversation(T, "c2"), conversation("c2", { unread_count: 4 }));
    client.setQueryData(keys.conversation("other", "c1"), conversation("c1", { unread_count: 4 }));
    expect(seen.some(Boolean)).toBe(false);
    client.setQueryData(keys.conversation(T, "c1"), conversation("c1", { unread_count: 1 }));
    expect(seen.at(-1)).toBe(true);
    unsubscribe();
    expect(cachedUnread(client, T, "c1")).toBe(true);
    expect(cachedUnread(client, T, "c3")).toBe(false);
  });
});
