import { useVirtualizer } from "@tanstack/react-virtual";
import { BellOff, LoaderCircle } from "lucide-react";
import { useEffect, useRef } from "react";
import { Link, useLocation } from "react-router";
import type { Contact } from "@/api/contacts";
import { InitialsAvatar } from "@/components/ui/avatar";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatPhone } from "@/i18n/format";
import { cn } from "@/lib/utils";
import { contactsMessages } from "./i18n";

const ROW_HEIGHT = 68;

/** The channels a contact opted out of. */
export function optedOutChannels(contact: Contact): string[] {
  return Object.entries(contact.consent ?? {})
    .filter(([, c]) => c && c.allowed === false)
    .map(([channel]) => channel);
}

function Row({
  contact,
  active,
  search,
  selected,
  onSelect,
}: {
  contact: Contact;
  active: boolean;
  search: string;
  selected: boolean;
  onSelect: (contact: Contact, selected: boolean) => void;
}) {
  const { m } = useI18n();
  const t = useMessages(contactsMessages);
  const name = contact.name || formatPhone(contact.phone);
  const out = optedOutChannels(contact);
  return (
    <div className={cn("flex h-full items-center gap-2 border-b pl-3 transition-colors hover:bg-accent/60", active && "bg-accent hover:bg-accent")}>
      <input
        type="checkbox"
        checked={selected}
        onChange={(e) => onSelect(contact, e.target.checked)}
        aria-label={t.actions.select(name)}
        className="size-4 shrink-0 accent-[var(--primary)]"
        data-testid="contact-select"
      />
      <Link
        to={{ pathname: `/contacts/${contact.id}`, search }}
        aria-current={active ? "page" : undefined}
        className="flex h-full min-w-0 flex-1 items-center gap-3 pr-3 focus-visible:-outline-offset-2"
        data-testid="contact-item"
        data-contact-id={contact.id}
      >
        <InitialsAvatar name={contact.name} phone={contact.phone} seed={contact.id} className="size-9" />
        <span className="grid min-w-0 flex-1 gap-0.5">
          <span className="flex items-center gap-1.5">
            <span className="truncate text-sm font-medium">{name}</span>
            {out.length ? (
              <span title={`${t.filters.optedOut}: ${out.map((c) => m.channels[c] ?? c).join(", ")}`} className="shrink-0 text-destructive">
                <BellOff className="size-3.5" aria-hidden="true" />
                <span className="sr-only">
                  {t.filters.optedOut}: {out.map((c) => m.channels[c] ?? c).join(", ")}
                </span>
              </span>
            ) : null}
          </span>
          <span className="flex min-w-0 items-center gap-1.5 text-xs text-muted-foreground">
            <span className="shrink-0">{contact.name ? formatPhone(contact.phone) : contact.email}</span>
            {contact.tags?.slice(0, 3).map((tag) => (
              <span key={tag} className="truncate rounded-full bg-secondary px-1.5 text-[0.65rem] text-secondary-foreground">
                {tag}
              </span>
            ))}
            {contact.tags && contact.tags.length > 3 ? <span className="shrink-0">+{contact.tags.length - 3}</span> : null}
          </span>
        </span>
      </Link>
    </div>
  );
}

export function ContactListSkeleton({ rows = 8 }: { rows?: number }) {
  return (
    <ul aria-hidden="true">
      {Array.from({ length: rows }, (_, i) => (
        <li key={i} className="flex items-center gap-3 border-b px-3" style={{ height: ROW_HEIGHT }}>
          <Skeleton className="size-9 rounded-full" />
          <span className="grid flex-1 gap-2">
            <Skeleton className="h-3.5 w-2/5" />
            <Skeleton className="h-3 w-3/5" />
          </span>
        </li>
      ))}
    </ul>
  );
}

/** Contacts, virtualised (100,000 are as quick as 10), the next page asked for near the end. */
export function ContactList({
  items,
  activeId,
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
  selected,
  onSelect,
}: {
  items: Contact[];
  activeId: string | undefined;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => void;
  selected: Set<string>;
  onSelect: (contact: Contact, selected: boolean) => void;
}) {
  const t = useMessages(contactsMessages);
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

  useEffect(() => {
    const root = scrollRef.current;
    const sentinel = sentinelRef.current;
    if (!root || !sentinel || !hasNextPage || isFetchingNextPage) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && fetchNextPage(), {
      root,
      rootMargin: "0px 0px 600px 0px",
    });
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  return (
    <div ref={scrollRef} className="relative min-h-0 flex-1 overflow-y-auto overscroll-contain" data-testid="contact-list">
      <ul aria-label={t.listLabel} className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((row) => {
          const contact = items[row.index]!;
          return (
            <li
              key={row.key}
              aria-setsize={hasNextPage ? -1 : items.length}
              aria-posinset={row.index + 1}
              className="absolute left-0 top-0 w-full"
              style={{ height: row.size, transform: `translateY(${row.start}px)` }}
            >
              <Row contact={contact} active={contact.id === activeId} search={search} selected={selected.has(contact.id)} onSelect={onSelect} />
            </li>
          );
        })}
      </ul>
      <div ref={sentinelRef} aria-hidden="true" className="h-px" />
      {isFetchingNextPage ? (
        <p role="status" className="flex items-center justify-center gap-2 py-3 text-xs text-muted-foreground">
          <LoaderCircle className="size-3.5 animate-spin" aria-hidden="true" />
          {t.loadingMore}
        </p>
      ) : null}
    </div>
  );
}
