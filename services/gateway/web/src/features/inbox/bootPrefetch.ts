import type { ConversationPage } from "@/api";
import { inboxApi } from "@/api/inbox";
import { type ListFilters, listFilters } from "@/api/keys";

/**
 * On a cold load of /inbox the first page of conversations is requested at once, alongside the session check
 * and the page's code, instead of after them. The session cookie scopes it to the same tenant /auth/me
 * reports; useConversations takes it once (for the same filters), else fetches as usual.
 */
let boot: { key: string; at: number; page: Promise<ConversationPage | null> } | null = null;
const FRESH_MS = 10_000;

/** The inbox list's filters from the URL's query string. */
export function filtersFromSearch(search: string | URLSearchParams): ListFilters {
  const params = typeof search === "string" ? new URLSearchParams(search) : search;
  return listFilters({
    q: params.get("q") ?? "",
    status: params.get("status") ?? "",
    assignee: params.get("assignee") ?? "",
    channel: params.get("channel") ?? "",
  });
}

export function startInboxPrefetch(path: string, search: string): void {
  if (!path.startsWith("/inbox")) return;
  const filters = filtersFromSearch(search);
  boot = { key: JSON.stringify(filters), at: Date.now(), page: inboxApi.conversations(filters).catch(() => null) };
}

export async function takeInboxPrefetch(filters: ListFilters): Promise<ConversationPage | null> {
  const taken = boot;
  boot = null;
  if (!taken || taken.key !== JSON.stringify(filters) || Date.now() - taken.at > FRESH_MS) return null;
  return taken.page;
}
