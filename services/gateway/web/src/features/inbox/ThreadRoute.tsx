import { useQueryClient } from "@tanstack/react-query";
import { ArrowLeft, CircleAlert } from "lucide-react";
import { useEffect, useMemo, useRef } from "react";
import { Link, useLocation, useParams } from "react-router";
import { type InboxConversation, inboxApi } from "@/api/inbox";
import { ApiError } from "@/api/problems";
import { useTenantId } from "@/app/session";
import { EmptyState } from "@/components/EmptyState";
import { InitialsAvatar } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { formatPhone } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { ChannelIcon } from "./ChannelIcon";
import { Composer, type ComposerHandle } from "./Composer";
import { ContactPane, ContactSheet } from "./ContactPane";
import { ConversationControls } from "./ConversationControls";
import { useConversation, useMembers } from "./hooks";
import { cachedUnread, createReadMarker, markConversationRead, type ReadMarker, showsUnread } from "./markRead";
import { Thread, ThreadSkeleton } from "./Thread";

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) || target.closest("[role=menu],[role=dialog]") !== null;
}

/**
 * Opening a conversation marks it read (POST /read), and so does each new message while it stays open and
 * visible, and any unread count the cache shows for it meanwhile (see ./markRead.ts); the unread badge
 * clears at once and the server's answer and conversation.updated confirm it.
 */
function useMarkRead(conversation: InboxConversation | undefined) {
  const client = useQueryClient();
  const tenantId = useTenantId();
  const marker = useRef<ReadMarker | null>(null);
  const id = conversation?.id;
  const lastMessageAt = conversation?.last_message_at;
  useEffect(() => {
    if (!id) return;
    const current = createReadMarker({
      post: () => markConversationRead(client, tenantId, id, inboxApi.markRead),
      isVisible: () => document.visibilityState !== "hidden",
    });
    marker.current = current;
    current.request("activity");
    const onVisibility = () => {
      if (document.visibilityState === "hidden") return;
      if (cachedUnread(client, tenantId, id)) current.request("unread");
      current.wake();
    };
    const unsubscribe = client.getQueryCache().subscribe((event) => {
      if (showsUnread(event, tenantId, id)) current.request("unread");
    });
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      current.stop();
      unsubscribe();
      document.removeEventListener("visibilitychange", onVisibility);
      if (marker.current === current) marker.current = null;
    };
  }, [id, client, tenantId]);
  // A new message in the open conversation: it is read too.
  const seen = useRef({ id: "", at: "" });
  useEffect(() => {
    if (!id || !lastMessageAt) return;
    const before = seen.current;
    seen.current = { id, at: lastMessageAt };
    if (before.id === id && before.at !== lastMessageAt) marker.current?.request("activity");
  }, [id, lastMessageAt]);
}

export default function ThreadRoute() {
  const { m } = useI18n();
  const { conversationId = "" } = useParams();
  const { search } = useLocation();
  const conversation = useConversation(conversationId);
  const members = useMembers();
  const memberNames = useMemo(() => new Map((members.data ?? []).map((x) => [x.user_id, x.name || x.email])), [members.data]);
  const composerRef = useRef<ComposerHandle>(null);
  const data = conversation.data;
  useMarkRead(data);

  // Keyboard: R replies (focuses the composer).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || isTyping(event.target)) return;
      if (event.key === "r" || event.key === "R") {
        event.preventDefault();
        composerRef.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  if (conversation.isError && !data) {
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
  const name = data ? data.contact.name || formatPhone(data.contact.phone) : "";
  return (
    <div className="flex min-w-0 flex-1">
      <section aria-label={name || m.inbox.title} className="flex min-w-0 flex-1 flex-col">
        {/* The number is never cut: the name truncates first, and on a narrow phone the controls wrap below. */}
        <header className="flex min-h-16 shrink-0 flex-wrap items-center gap-x-2 gap-y-1 border-b px-2 py-2 sm:gap-x-3 sm:px-4">
          <Button asChild variant="ghost" size="icon" className="md:hidden">
            <Link to={{ pathname: "/inbox", search }} aria-label={m.inbox.back}>
              <ArrowLeft aria-hidden="true" />
            </Link>
          </Button>
          {data ? (
            <>
              <InitialsAvatar name={data.contact.name} phone={data.contact.phone} seed={data.contact.id} className="hidden sm:inline-flex" />
              <div className="min-w-[8.5rem] flex-1">
                <h2 className="truncate text-base font-semibold" data-testid="thread-title">
                  {name}
                </h2>
                <p className="flex items-center gap-1.5 text-xs text-muted-foreground">
                  <ChannelIcon channel={data.channel} />
                  <span className="whitespace-nowrap" data-testid="thread-phone">
                    {formatPhone(data.contact.phone)}
                  </span>
                </p>
              </div>
              <div className="ml-auto flex shrink-0 items-center gap-1">
                <ConversationControls conversation={data} />
                <ContactSheet conversation={data} />
              </div>
            </>
          ) : (
            <div className="grid gap-1.5" aria-hidden="true">
              <Skeleton className="h-4 w-40" />
              <Skeleton className="h-3 w-24" />
            </div>
          )}
        </header>
        {data ? <Thread key={data.id} conversation={data} memberNames={memberNames} /> : <ThreadSkeleton />}
        {data ? <Composer key={data.id} ref={composerRef} conversation={data} /> : null}
      </section>
      {data ? <ContactPane conversation={data} /> : null}
    </div>
  );
}
