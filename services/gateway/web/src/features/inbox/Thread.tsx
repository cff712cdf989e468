import { LoaderCircle } from "lucide-react";
import { Fragment, useEffect, useLayoutEffect, useRef, useState } from "react";
import type { InboxConversation, InboxMessage } from "@/api/inbox";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { daysBetween, formatDateTime, formatDayLabel, formatPhone, formatTime } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { cn } from "@/lib/utils";
import type { ThreadMessage } from "@/live/patch";
import { useThread } from "./hooks";
import { inboxMessages } from "./i18n";
import { MessageBody } from "./MessageBody";
import { StatusTick } from "./StatusTick";
import { initialScrollState, isNearBottom, scrollForMessages, scrollForResize, type ThreadScrollState } from "./threadScroll";
import { useNow } from "./useNow";

function Bubble({ message, author }: { message: InboxMessage; author: string | null }) {
  const { m, lang } = useI18n();
  const t = useMessages(inboxMessages);
  const outbound = message.direction === "outbound";
  const at = new Date(message.occurred_at);
  const optimistic = (message as ThreadMessage)._local === "optimistic";
  return (
    <li
      className={cn("flex", outbound ? "justify-end" : "justify-start")}
      data-message-id={optimistic ? undefined : message.id}
      data-optimistic={optimistic ? "true" : undefined}
      data-direction={message.direction}
      data-testid="message"
    >
      <div
        className={cn(
          "max-w-[85%] rounded-lg px-3 py-1.5 text-sm shadow-xs sm:max-w-[70%]",
          outbound ? "rounded-tr-sm bg-bubble-out" : "rounded-tl-sm border bg-bubble-in",
          message.status === "failed" && "ring-1 ring-destructive/60",
        )}
      >
        <span className="sr-only">{outbound ? m.inbox.sent : m.inbox.received}: </span>
        {outbound && author ? <p className="mb-0.5 text-xs font-medium text-muted-foreground">{t.byAgent(author)}</p> : null}
        <MessageBody message={message} />
        <span className="mt-0.5 flex items-center justify-end gap-1 text-[0.7rem] text-muted-foreground">
          <time dateTime={message.occurred_at} title={formatDateTime(at, lang)}>
            {formatTime(at, lang)}
          </time>
          {outbound ? <StatusTick status={message.status} error={message.error} /> : null}
        </span>
      </div>
    </li>
  );
}

export function ThreadSkeleton() {
  return (
    <div className="flex flex-1 flex-col justify-end gap-3 p-4" aria-hidden="true">
      <Skeleton className="h-10 w-1/2 self-start" />
      <Skeleton className="h-14 w-2/3 self-start" />
      <Skeleton className="h-10 w-1/3 self-end" />
      <Skeleton className="h-10 w-1/2 self-start" />
    </div>
  );
}

/**
 * Messages oldest at the top; scrolling up loads earlier pages while the view stays where it was; new
 * messages (live, or the agent's own) scroll into view when the reader is at the bottom.
 */
export function Thread({ conversation, memberNames }: { conversation: InboxConversation; memberNames: Map<string, string> }) {
  const { m, lang } = useI18n();
  const now = useNow();
  const thread = useThread(conversation.id);
  const { messages, hasNextPage, isFetchingNextPage, fetchNextPage } = thread;
  const scrollRef = useRef<HTMLDivElement>(null);
  const topRef = useRef<HTMLDivElement>(null);
  const contentRef = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState(false);
  const prev = useRef<ThreadScrollState>(initialScrollState());

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || messages.length === 0) return;
    const last = messages[messages.length - 1]!;
    const shown = { oldest: messages[0]!.id, newest: last.id, mine: (last as ThreadMessage)._local === "optimistic" };
    const { scrollTop, state } = scrollForMessages(el, prev.current, shown, !ready);
    if (scrollTop !== null) el.scrollTop = scrollTop;
    prev.current = state;
    if (!ready) setReady(true);
  }, [messages, ready]);

  // What is around the thread loads after it (the composer's numbers and window, the header's controls) and
  // images inside it load late: each changes the thread's height. A reader at the bottom stays there.
  useEffect(() => {
    const el = scrollRef.current;
    const content = contentRef.current;
    if (!ready || !el || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => {
      const scrollTop = scrollForResize(el, prev.current);
      if (scrollTop === null) return;
      el.scrollTop = scrollTop;
      prev.current.height = el.scrollHeight;
    });
    observer.observe(el);
    if (content) observer.observe(content);
    return () => observer.disconnect();
  }, [ready]);

  useEffect(() => {
    const root = scrollRef.current;
    const top = topRef.current;
    if (!ready || !root || !top || !hasNextPage || isFetchingNextPage) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          prev.current.height = root.scrollHeight;
          void fetchNextPage();
        }
      },
      { root, rootMargin: "300px 0px 0px 0px" },
    );
    observer.observe(top);
    return () => observer.disconnect();
  }, [ready, hasNextPage, isFetchingNextPage, fetchNextPage, messages.length]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (el) prev.current.nearBottom = isNearBottom(el);
  };

  const name = conversation.contact.name || formatPhone(conversation.contact.phone);

  if (thread.isPending) return <ThreadSkeleton />;
  if (thread.isError) {
    return (
      <div role="alert" className="m-auto grid gap-3 p-6 text-center text-sm">
        <p className="font-medium">{m.inbox.threadError}</p>
        <p className="text-muted-foreground">{describeError(thread.error, m)}</p>
        <Button variant="outline" size="sm" className="mx-auto" onClick={() => void thread.refetch()}>
          {m.app.retry}
        </Button>
      </div>
    );
  }

  return (
    <div
      ref={scrollRef}
      onScroll={onScroll}
      className="relative min-h-0 flex-1 overflow-y-auto bg-thread px-3 py-4 sm:px-6 [overflow-anchor:none]"
      data-testid="thread"
    >
      <div ref={contentRef}>
        <div ref={topRef} aria-hidden="true" className="h-px" />
        {isFetchingNextPage ? (
          <p role="status" className="flex items-center justify-center gap-2 py-2 text-xs text-muted-foreground">
            <LoaderCircle className="size-3.5 animate-spin" aria-hidden="true" />
            {m.inbox.olderLoading}
          </p>
        ) : !hasNextPage && messages.length > 0 ? (
          <p className="py-2 text-center text-xs text-muted-foreground">{m.inbox.beginning}</p>
        ) : null}
        {messages.length === 0 ? <p className="py-8 text-center text-sm text-muted-foreground">{m.inbox.threadEmpty}</p> : null}
        <ol aria-label={m.inbox.threadLabel(name)} aria-live="polite" aria-relevant="additions" className="flex flex-col gap-1.5">
          {messages.map((message, i) => {
            const at = new Date(message.occurred_at);
            const previous = messages[i - 1];
            const newDay = !previous || daysBetween(new Date(previous.occurred_at), at) !== 0;
            const author = message.author_user_id ? (memberNames.get(message.author_user_id) ?? null) : null;
            return (
              <Fragment key={message.id}>
                {newDay ? (
                  <li className="my-2 flex justify-center">
                    <span className="rounded-md bg-background/90 px-2.5 py-1 text-xs font-medium text-muted-foreground shadow-xs">
                      {formatDayLabel(at, lang, now)}
                    </span>
                  </li>
                ) : null}
                <Bubble message={message} author={author} />
              </Fragment>
            );
          })}
        </ol>
      </div>
    </div>
  );
}
