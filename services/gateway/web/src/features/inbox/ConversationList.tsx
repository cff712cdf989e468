import { useVirtualizer } from "@tanstack/react-virtual";
import { LoaderCircle } from "lucide-react";
import { forwardRef, useEffect, useImperativeHandle, useRef } from "react";
import { Link, useLocation } from "react-router";
import type { InboxConversation } from "@/api/inbox";
import { InitialsAvatar } from "@/components/ui/avatar";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatCount, formatDateTime, formatListTime, formatPhone } from "@/i18n/format";
import { cn } from "@/lib/utils";
import { ChannelIcon } from "./ChannelIcon";
import { inboxMessages } from "./i18n";
import { useNow } from "./useNow";

const ROW_HEIGHT = 76;

export interface ConversationListHandle {
  scrollToIndex: (index: number) => void;
}

function Row({
  conversation,
  active,
  search,
  assignee,
}: {
  conversation: InboxConversation;
  active: boolean;
  search: string;
  assignee: string | null;
}) {
  const { m, lang } = useI18n();
  const t = useMessages(inboxMessages);
  const now = useNow();
  const { contact } = conversation;
  const name = contact.name || formatPhone(contact.phone);
  const at = new Date(conversation.last_message_at);
  const unread = conversation.unread_count;
  return (
    <Link
      to={{ pathname: `/inbox/${conversation.id}`, search }}
      aria-current={active ? "page" : undefined}
      data-conversation-id={conversation.id}
      data-status={conversation.status}
      data-testid="conversation-item"
      className={cn(
        "flex h-full items-center gap-3 border-b px-3 transition-colors hover:bg-accent/60 focus-visible:-outline-offset-2",
        active && "bg-accent hover:bg-accent",
      )}
    >
      <InitialsAvatar name={contact.name} phone={contact.phone} seed={contact.id} />
      {/* grid-cols-1 (minmax(0, 1fr)): a long name truncates instead of pushing the time and badge off a phone's screen. */}
      <span className="grid min-w-0 flex-1 grid-cols-1 gap-0.5">
        <span className="flex items-center gap-1.5">
          <ChannelIcon channel={conversation.channel} />
          <span className={cn("truncate text-sm", unread ? "font-semibold" : "font-medium")}>{name}</span>
          <time
            dateTime={conversation.last_message_at}
            title={formatDateTime(at, lang)}
            className={cn("ml-auto shrink-0 text-xs", unread ? "font-semibold text-primary" : "text-muted-foreground")}
          >
            {formatListTime(at, lang, now)}
          </time>
        </span>
        <span className="flex items-center gap-2">
          <span className={cn("truncate text-sm", unread ? "text-foreground" : "text-muted-foreground")} data-testid="conversation-preview">
            {conversation.last_message_preview}
          </span>
          <span className="ml-auto flex shrink-0 items-center gap-1.5">
            {conversation.status !== "open" ? (
              <span className="rounded-full border px-1.5 text-[0.65rem] font-medium text-muted-foreground" data-testid="conversation-status">
                {t.status.names[conversation.status] ?? conversation.status}
              </span>
            ) : null}
            {assignee ? (
              <span title={t.assign.button(assignee)}>
                <span className="sr-only">{t.assign.button(assignee)}</span>
                <InitialsAvatar name={assignee} seed={conversation.assignee_user_id ?? assignee} className="size-5 text-[0.55rem]" />
              </span>
            ) : null}
            {unread > 0 ? (
              <span
                className="inline-flex h-5 min-w-5 items-center justify-center rounded-full bg-primary px-1.5 text-[0.7rem] font-semibold text-primary-foreground"
                aria-label={m.inbox.unread(unread)}
                data-testid="unread-badge"
              >
                {formatCount(unread, lang)}
              </span>
            ) : null}
          </span>
        </span>
      </span>
    </Link>
  );
}

export function ConversationListSkeleton({ rows = 8 }: { rows?: number }) {
  return (
    <ul aria-hidden="true">
      {Array.from({ length: rows }, (_, i) => (
        <li key={i} className="flex items-center gap-3 border-b px-3" style={{ height: ROW_HEIGHT }}>
          <Skeleton className="size-10 rounded-full" />
          <span className="grid flex-1 gap-2">
            <Skeleton className="h-3.5 w-2/5" />
            <Skeleton className="h-3 w-4/5" />
          </span>
        </li>
      ))}
    </ul>
  );
}

/**
 * The conversations, virtualised (only the visible rows are in the DOM, so 10,000 are as fast as 10),
 * with the next page requested when a sentinel below the last row comes near the viewport.
 */
export const ConversationList = forwardRef<
  ConversationListHandle,
  {
    items: InboxConversation[];
    activeId: string | undefined;
    hasNextPage: boolean;
    isFetchingNextPage: boolean;
    fetchNextPage: () => void;
    memberNames?: Map<string, string>;
  }
>(function ConversationList({ items, activeId, hasNextPage, isFetchingNextPage, fetchNextPage, memberNames }, ref) {
  const { m } = useI18n();
  const { search } = useLocation();
  const scrollRef = useRef<HTMLDivElement>(null);
  const sentinelRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    getItemKey: (index) => items[index]?.id ?? index,
  });

  useImperativeHandle(ref, () => ({ scrollToIndex: (index) => virtualizer.scrollToIndex(index, { align: "auto" }) }), [virtualizer]);

  // Re-observed whenever the list grows, so a sentinel still in view after a short page asks for the next one.
  useEffect(() => {
    const root = scrollRef.current;
    const sentinel = sentinelRef.current;
    if (!root || !sentinel || !hasNextPage || isFetchingNextPage) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) fetchNextPage();
      },
      { root, rootMargin: "0px 0px 600px 0px" },
    );
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const total = virtualizer.getTotalSize();
  return (
    <div ref={scrollRef} className="relative min-h-0 flex-1 overflow-y-auto overscroll-contain" data-testid="conversation-list">
      <ul aria-label={m.inbox.listLabel} className="relative w-full" style={{ height: total }}>
        {virtualizer.getVirtualItems().map((row) => {
          const conversation = items[row.index]!;
          return (
            <li
              key={row.key}
              aria-setsize={hasNextPage ? -1 : items.length}
              aria-posinset={row.index + 1}
              className="absolute left-0 top-0 w-full"
              style={{ height: row.size, transform: `translateY(${row.start}px)` }}
            >
              <Row
                conversation={conversation}
                active={conversation.id === activeId}
                search={search}
                assignee={conversation.assignee_user_id ? (memberNames?.get(conversation.assignee_user_id) ?? "?") : null}
              />
            </li>
          );
        })}
      </ul>
      <div ref={sentinelRef} aria-hidden="true" className="h-px" />
      {isFetchingNextPage ? (
        <p role="status" className="flex items-center justify-center gap-2 py-3 text-xs text-muted-foreground">
          <LoaderCircle className="size-3.5 animate-spin" aria-hidden="true" />
          {m.inbox.loadingMore}
        </p>
      ) : null}
    </div>
  );
});
