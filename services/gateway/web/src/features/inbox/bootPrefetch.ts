import { api, type ConversationPage } from "@/api";

/**
 * On a cold load of /inbox the first page of conversations is requested at once, alongside the session check
 * and the page's code, instead of after them. The session cookie scopes it to the same tenant /auth/me
 * reports; useConversations takes it once (for that search), else fetches as usual.
 */
let boot: { q: string; at: number; page: Promise<ConversationPage | null> } | null = null;
const FRESH_MS = 10_000;

export function startInboxPrefetch(path: string, search: string): void {
  if (!path.startsWith("/inbox")) return;
  const q = new URLSearchParams(search).get("q") ?? "";
  boot = { q, at: Date.now(), page: api.conversations({ q }).catch(() => null) };
}

export async function takeInboxPrefetch(q: string): Promise<ConversationPage | null> {
  const taken = boot;
  boot = null;
  if (!taken || taken.q !== q || Date.now() - taken.at > FRESH_MS) return null;
  return taken.page;
}
