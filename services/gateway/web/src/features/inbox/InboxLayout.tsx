import { Inbox, MessageCircle, Search, X } from "lucide-react";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { Link, Outlet, useMatch, useNavigate, useSearchParams } from "react-router";
import { EmptyState } from "@/components/EmptyState";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatPhone } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { cn } from "@/lib/utils";
import { ConversationList, type ConversationListHandle, ConversationListSkeleton } from "./ConversationList";
import { filtersFromSearch } from "./bootPrefetch";
import { useConversations, useMembers, usePhoneNumbers } from "./hooks";
import { inboxMessages } from "./i18n";

const SEARCH_DEBOUNCE_MS = 300;

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) || target.closest("[role=menu]") !== null;
}

/** What the inbox says when there is nothing to list: connect a number first, or wait for the first customer. */
function InboxEmpty() {
  const { m } = useI18n();
  const numbers = usePhoneNumbers();
  if (numbers.isPending) return <ConversationListSkeleton rows={4} />;
  if (!numbers.data?.length) {
    return (
      <EmptyState
        icon={MessageCircle}
        title={m.inbox.connectTitle}
        action={
          <Button asChild>
            <Link to="/settings/channels">{m.inbox.connectCta}</Link>
          </Button>
        }
      >
        {m.inbox.connectBody}
      </EmptyState>
    );
  }
  const list = numbers.data.map((n) => n.label ? `${formatPhone(n.display_phone_number)} (${n.label})` : formatPhone(n.display_phone_number));
  return (
    <EmptyState icon={Inbox} title={m.inbox.waitingTitle}>
      {m.inbox.waitingBody(list.join(", "))}
    </EmptyState>
  );
}

type FilterName = "status" | "assignee" | "channel";

/** Tabs Mine / Unassigned / All and the status and channel filters; all in the URL, so a view can be shared. */
function ListFilters({ value, onChange }: { value: Record<FilterName, string>; onChange: (name: FilterName, value: string) => void }) {
  const { m } = useI18n();
  const t = useMessages(inboxMessages);
  const tabs = [
    { value: "me", label: t.filters.mine },
    { value: "unassigned", label: t.filters.unassigned },
    { value: "", label: t.filters.all },
  ];
  return (
    <div className="grid gap-2">
      <div role="group" aria-label={t.filters.assignee} className="grid grid-cols-3 rounded-md bg-muted p-0.5 text-[0.8rem]">
        {tabs.map((tab) => (
          <button
            key={tab.value || "all"}
            type="button"
            aria-pressed={value.assignee === tab.value}
            onClick={() => onChange("assignee", tab.value)}
            className={cn(
              "truncate rounded-[calc(var(--radius)-4px)] px-2 py-1 font-medium text-muted-foreground transition-colors hover:text-foreground",
              value.assignee === tab.value && "bg-background text-foreground shadow-xs",
            )}
            data-testid={`assignee-tab-${tab.value || "all"}`}
          >
            {tab.label}
          </button>
        ))}
      </div>
      {/* Side by side while both fit whole; on a narrow phone each takes its own line rather than cut its words. */}
      <div className="flex flex-wrap gap-2">
        <Select className="min-w-fit flex-1 basis-0" aria-label={t.filters.status} value={value.status} onChange={(e) => onChange("status", e.target.value)} data-testid="status-filter">
          <option value="">{t.filters.anyStatus}</option>
          {(["open", "pending", "resolved"] as const).map((s) => (
            <option key={s} value={s}>
              {t.status.names[s]}
            </option>
          ))}
        </Select>
        <Select className="min-w-fit flex-1 basis-0" aria-label={t.filters.channel} value={value.channel} onChange={(e) => onChange("channel", e.target.value)} data-testid="channel-filter">
          <option value="">{t.filters.anyChannel}</option>
          {(["whatsapp_meta", "sms"] as const).map((c) => (
            <option key={c} value={c}>
              {m.channels[c]}
            </option>
          ))}
        </Select>
      </div>
    </div>
  );
}

/**
 * The inbox: the conversation list on the left, the open thread (child route) beside it. On a phone only one
 * pane shows: the list, or the open thread with a way back.
 */
export default function InboxLayout() {
  const { m } = useI18n();
  const t = useMessages(inboxMessages);
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(params), [params]);
  const { q } = filters;
  const filtered = Boolean(filters.status || filters.assignee || filters.channel);
  const members = useMembers();
  const memberNames = useMemo(() => new Map((members.data ?? []).map((x) => [x.user_id, x.name || x.email])), [members.data]);
  const [text, setText] = useState(q);
  const searchRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<ConversationListHandle>(null);
  const match = useMatch("/inbox/:conversationId");
  const activeId = match?.params.conversationId;
  const conversations = useConversations(filters);
  const { items, fetchNextPage, hasNextPage, isFetchingNextPage } = conversations;

  // The URL is the source of truth (shareable, back button); the box follows it when it changes elsewhere.
  useEffect(() => setText((current) => (current.trim() === q ? current : q)), [q]);
  useEffect(() => {
    const value = text.trim();
    if (value === q) return;
    const timer = setTimeout(() => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (value) next.set("q", value);
          else next.delete("q");
          return next;
        },
        { replace: true },
      );
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, q, setParams]);

  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  const setFilter = useCallback(
    (name: FilterName | "clear", value = "") =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const key of name === "clear" ? (["status", "assignee", "channel"] as const) : [name]) {
            if (value && name !== "clear") next.set(key, value);
            else next.delete(key);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  // Keyboard: "/" searches, J / K open the next / previous conversation. The handler reads the list and the
  // open conversation as last committed (a layout effect, with the DOM): navigations are transitions whose
  // passive effects run later, and a key pressed in between must not act on the conversation left behind.
  const shown = useRef({ items, activeId, params });
  useLayoutEffect(() => {
    shown.current = { items, activeId, params };
  }, [items, activeId, params]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || isTyping(event.target)) return;
      if (event.key === "/") {
        event.preventDefault();
        searchRef.current?.focus();
        return;
      }
      if (event.key !== "j" && event.key !== "k") return;
      const { items, activeId, params } = shown.current;
      if (!items.length) return;
      const index = items.findIndex((c) => c.id === activeId);
      const nextIndex = index < 0 ? 0 : Math.min(items.length - 1, Math.max(0, index + (event.key === "j" ? 1 : -1)));
      const target = items[nextIndex];
      if (!target || target.id === activeId) return;
      event.preventDefault();
      listRef.current?.scrollToIndex(nextIndex);
      navigate({ pathname: `/inbox/${target.id}`, search: params.toString() ? `?${params}` : "" });
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [navigate]);

  const nothingAtAll = !q && !filtered && !activeId && conversations.isSuccess && items.length === 0;
  if (nothingAtAll) {
    return (
      <div className="relative h-full overflow-auto">
        <h1 className="sr-only">{m.inbox.title}</h1>
        <InboxEmpty />
      </div>
    );
  }

  return (
    <div className="flex h-full min-h-0">
      <section
        aria-label={m.inbox.title}
        className={cn(
          "flex min-h-0 w-full flex-col border-r md:w-80 md:shrink-0 lg:w-96",
          activeId ? "hidden md:flex" : "flex",
        )}
      >
        <div className="flex flex-col gap-3 border-b p-3">
          <h1 className="text-lg font-semibold">{m.inbox.title}</h1>
          <div className="relative">
            <Search className="pointer-events-none absolute left-2.5 top-1/2 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden="true" />
            <Input
              ref={searchRef}
              type="search"
              value={text}
              onChange={(e) => setText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Escape" && text) {
                  e.preventDefault();
                  setText("");
                }
              }}
              placeholder={m.inbox.search}
              aria-label={m.inbox.searchLabel}
              aria-keyshortcuts="/"
              className="pl-8 pr-8 [&::-webkit-search-cancel-button]:hidden"
              maxLength={100}
            />
            {text ? (
              <button
                type="button"
                onClick={() => {
                  setText("");
                  searchRef.current?.focus();
                }}
                aria-label={m.inbox.clearSearch}
                className="absolute right-1.5 top-1/2 -translate-y-1/2 rounded-sm p-1 text-muted-foreground hover:text-foreground"
              >
                <X className="size-4" aria-hidden="true" />
              </button>
            ) : null}
          </div>
          <ListFilters value={filters} onChange={setFilter} />
        </div>
        {conversations.isPending ? (
          <div role="status" aria-label={m.app.loading} className="min-h-0 flex-1 overflow-hidden">
            <ConversationListSkeleton />
          </div>
        ) : conversations.isError ? (
          <div role="alert" className="grid gap-3 p-6 text-center text-sm">
            <p className="font-medium">{m.inbox.loadError}</p>
            <p className="text-muted-foreground">{describeError(conversations.error, m)}</p>
            <Button variant="outline" size="sm" className="mx-auto" onClick={() => void conversations.refetch()}>
              {m.app.retry}
            </Button>
          </div>
        ) : items.length === 0 ? (
          <div className="grid gap-3 p-6 text-center text-sm text-muted-foreground" role="status">
            <p>{q ? m.inbox.noResults(q) : filtered ? t.filters.none : m.inbox.waitingTitle}</p>
            {filtered ? (
              <Button variant="outline" size="sm" className="mx-auto" onClick={() => setFilter("clear")}>
                {t.filters.clear}
              </Button>
            ) : null}
          </div>
        ) : (
          <ConversationList
            ref={listRef}
            items={items}
            activeId={activeId}
            hasNextPage={Boolean(hasNextPage)}
            isFetchingNextPage={isFetchingNextPage}
            fetchNextPage={loadMore}
            memberNames={memberNames}
          />
        )}
      </section>
      <div className={cn("min-h-0 min-w-0 flex-1", activeId ? "flex" : "hidden md:flex")}>
        <Outlet />
      </div>
    </div>
  );
}
