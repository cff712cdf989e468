import { ArrowLeft, CircleAlert, Image as ImageIcon, LoaderCircle } from "lucide-react";
import { Fragment, useEffect, useLayoutEffect, useRef, useState } from "react";
import { Link, useLocation, useParams } from "react-router";
import type { Conversation, Message } from "@/api";
import { ApiError } from "@/api/problems";
import { EmptyState } from "@/components/EmptyState";
import { InitialsAvatar } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { daysBetween, formatDateTime, formatDayLabel, formatPhone, formatTime } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { cn } from "@/lib/utils";
import { ChannelIcon } from "./ChannelIcon";
import { useConversation, useThread } from "./hooks";
import { useNow } from "./useNow";

const NEAR_BOTTOM_PX = 120;

function MessageBody({ message }: { message: Message }) {
  const { m } = useI18n();
  const content = message.content as { kind?: string; body?: string; caption?: string };
  if (content.kind === "text" && typeof content.body === "string") {
    return <p className="whitespace-pre-wrap break-words">{content.body}</p>;
  }
  if (content.kind === "image") {
    return (
      <p className="flex items-start gap-2">
        <ImageIcon className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
        <span className="break-words">
          <span className="font-medium">{m.inbox.image}</span>
          {content.caption ? `: ${content.caption}` : null}
        </span>
      </p>
    );
  }
  return <p className="break-words italic">{message.preview || m.inbox.media(content.kind ?? "?")}</p>;
}

function Bubble({ message }: { message: Message }) {
  const { m, lang } = useI18n();
  const outbound = message.direction === "outbound";
  const at = new Date(message.occurred_at);
  return (
    <li className={cn("flex", outbound ? "justify-end" : "justify-start")} data-message-id={message.id}>
      <div
        className={cn(
          "max-w-[85%] rounded-lg px-3 py-1.5 text-sm shadow-xs sm:max-w-[70%]",
          outbound ? "rounded-tr-sm bg-bubble-out" : "rounded-tl-sm border bg-bubble-in",
        )}
      >
        <span className="sr-only">{outbound ? m.inbox.sent : m.inbox.received}: </span>
        <MessageBody message={message} />
        <time dateTime={message.occurred_at} title={formatDateTime(at, lang)} className="mt-0.5 block text-right text-[0.7rem] text-muted-foreground">
          {formatTime(at, lang)}
        </time>
      </div>
    </li>
  );
}

function ThreadSkeleton() {
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
 * messages (live) scroll into view when the reader is at the bottom.
 */
function Thread({ conversation }: { conversation: Conversation }) {
  const { m, lang } = useI18n();
  const now = useNow();
  const thread = useThread(conversation.id);
  const { messages, hasNextPage, isFetchingNextPage, fetchNextPage } = thread;
  const scrollRef = useRef<HTMLDivElement>(null);
  const topRef = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState(false);
  const prev = useRef({ oldest: "", newest: "", height: 0, nearBottom: true });

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || messages.length === 0) return;
    const oldest = messages[0]!.id;
    const newest = messages[messages.length - 1]!.id;
    const before = prev.current;
    if (!ready) {
      el.scrollTop = el.scrollHeight;
      setReady(true);
    } else if (oldest !== before.oldest && newest === before.newest) {
      el.scrollTop += el.scrollHeight - before.height; // earlier messages were added above: stay in place
    } else if (newest !== before.newest && before.nearBottom) {
      el.scrollTop = el.scrollHeight;
    }
    prev.current = { oldest, newest, height: el.scrollHeight, nearBottom: before.nearBottom };
  }, [messages, ready]);

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
    if (el) prev.current.nearBottom = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
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
          return (
            <Fragment key={message.id}>
              {newDay ? (
                <li className="my-2 flex justify-center" aria-hidden="false">
                  <span className="rounded-md bg-background/90 px-2.5 py-1 text-xs font-medium text-muted-foreground shadow-xs">
                    {formatDayLabel(at, lang, now)}
                  </span>
                </li>
              ) : null}
              <Bubble message={message} />
            </Fragment>
          );
        })}
      </ol>
    </div>
  );
}

function ContactPane({ conversation }: { conversation: Conversation }) {
  const { m, lang } = useI18n();
  const { contact } = conversation;
  return (
    <aside aria-label={m.contact.title} className="hidden w-72 shrink-0 flex-col gap-5 overflow-y-auto border-l p-5 xl:flex">
      <div className="flex flex-col items-center gap-2 text-center">
        <InitialsAvatar name={contact.name} phone={contact.phone} seed={contact.id} className="size-16 text-lg" />
        <h2 className="text-base font-semibold">{contact.name || m.contact.noName}</h2>
      </div>
      <dl className="grid gap-3 text-sm">
        <div>
          <dt className="text-xs text-muted-foreground">{m.contact.phone}</dt>
          <dd>
            <a className="font-medium underline-offset-4 hover:underline" href={`tel:${contact.phone}`}>
              {formatPhone(contact.phone)}
            </a>
          </dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">{m.contact.channel}</dt>
          <dd className="flex items-center gap-1.5 font-medium">
            <ChannelIcon channel={conversation.channel} />
            {m.channels[conversation.channel] ?? conversation.channel}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">{m.contact.status}</dt>
          <dd className="font-medium">{m.inbox.status[conversation.status] ?? conversation.status}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">{m.contact.since}</dt>
          <dd className="font-medium">{formatDateTime(new Date(conversation.created_at), lang)}</dd>
        </div>
      </dl>
      <p className="rounded-md border border-dashed p-3 text-xs text-muted-foreground">{m.contact.soon}</p>
    </aside>
  );
}

export default function ThreadRoute() {
  const { m } = useI18n();
  const { conversationId = "" } = useParams();
  const { search } = useLocation();
  const conversation = useConversation(conversationId);

  if (conversation.isError && !conversation.data) {
    const notFound = conversation.error instanceof ApiError && [400, 404, 422].includes(conversation.error.status);
    return (
      <div className="flex flex-1 flex-col">
        <div className="border-b p-2 md:hidden">
          <Button asChild variant="ghost" size="sm">
            <Link to={{ pathname: "/inbox", search }}>
              <ArrowLeft aria-hidden="true" /> {m.inbox.back}
            </Link>
          </Button>
        </div>
        <EmptyState icon={CircleAlert} title={notFound ? m.inbox.conversationNotFound : m.inbox.threadError}>
          {notFound ? null : describeError(conversation.error, m)}
        </EmptyState>
      </div>
    );
  }
  const data = conversation.data;
  const name = data ? data.contact.name || formatPhone(data.contact.phone) : "";
  return (
    <div className="flex min-w-0 flex-1">
      <section aria-label={name || m.inbox.title} className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-16 shrink-0 items-center gap-3 border-b px-2 sm:px-4">
          <Button asChild variant="ghost" size="icon" className="md:hidden">
            <Link to={{ pathname: "/inbox", search }} aria-label={m.inbox.back}>
              <ArrowLeft aria-hidden="true" />
            </Link>
          </Button>
          {data ? (
            <>
              <InitialsAvatar name={data.contact.name} phone={data.contact.phone} seed={data.contact.id} />
              <div className="min-w-0">
                <h2 className="truncate text-base font-semibold" data-testid="thread-title">{name}</h2>
                <p className="flex items-center gap-1.5 truncate text-xs text-muted-foreground">
                  <ChannelIcon channel={data.channel} />
                  {formatPhone(data.contact.phone)}
                </p>
              </div>
            </>
          ) : (
            <div className="grid gap-1.5" aria-hidden="true">
              <Skeleton className="h-4 w-40" />
              <Skeleton className="h-3 w-24" />
            </div>
          )}
        </header>
        {data ? <Thread key={data.id} conversation={data} /> : <ThreadSkeleton />}
        <footer className="border-t bg-background px-4 py-3 text-center text-xs text-muted-foreground">{m.inbox.composerSoon}</footer>
      </section>
      {data ? <ContactPane conversation={data} /> : null}
    </div>
  );
}
