import { Download, Merge, Plus, Search, Upload, Users, X } from "lucide-react";
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Outlet, useMatch, useNavigate, useSearchParams } from "react-router";
import type { Contact } from "@/api/contacts";
import { contactsApi } from "@/api/contacts";
import type { ContactFilters } from "@/api/keys";
import { EmptyState } from "@/components/EmptyState";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { describeError } from "@/lib/errors";
import { cn } from "@/lib/utils";
import { ContactFormDialog } from "./ContactForm";
import { ContactList, ContactListSkeleton } from "./ContactList";
import { CONTACT_CHANNELS, useContacts, useContactTags } from "./hooks";
import { contactsMessages } from "./i18n";
import { MergeDialog } from "./MergeDialog";

const ImportDialog = lazy(() => import("./ImportDialog"));
const SEARCH_DEBOUNCE_MS = 300;

function filtersFrom(params: URLSearchParams): ContactFilters {
  return {
    q: params.get("q") ?? "",
    tag: params.get("tag") ?? "",
    channel: params.get("channel") ?? "",
    opted_out: params.get("opted_out") ?? "",
  };
}

/**
 * Contacts: the list (search, tag, channel and consent filters in the URL; select to merge; new, import and
 * export) on the left, the chosen contact beside it. On a phone one pane shows at a time.
 */
export default function ContactsLayout() {
  const { m } = useI18n();
  const t = useMessages(contactsMessages);
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFrom(params), [params]);
  const [text, setText] = useState(filters.q);
  const searchRef = useRef<HTMLInputElement>(null);
  const match = useMatch("/contacts/:contactId");
  const activeId = match?.params.contactId;
  const contacts = useContacts(filters);
  const tags = useContactTags();
  const { items, fetchNextPage, hasNextPage, isFetchingNextPage } = contacts;
  const [selected, setSelected] = useState<Map<string, Contact>>(new Map());
  const [dialog, setDialog] = useState<"create" | "import" | "merge" | null>(null);
  const filtered = Boolean(filters.q || filters.tag || filters.channel || filters.opted_out);

  useEffect(() => setText((current) => (current.trim() === filters.q ? current : filters.q)), [filters.q]);
  const setFilter = useCallback(
    (name: keyof ContactFilters | "clear", value = "") =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const key of name === "clear" ? (["q", "tag", "channel", "opted_out"] as const) : [name]) {
            if (value && name !== "clear") next.set(key, value);
            else next.delete(key);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  useEffect(() => {
    const value = text.trim();
    if (value === filters.q) return;
    const timer = setTimeout(() => setFilter("q", value), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, filters.q, setFilter]);

  // "/" searches (as in the inbox).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.key !== "/" || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (target && (["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) || target.isContentEditable || target.closest("[role=dialog]"))) return;
      event.preventDefault();
      searchRef.current?.focus();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const onSelect = useCallback((contact: Contact, on: boolean) => {
    setSelected((prev) => {
      const next = new Map(prev);
      if (on) next.set(contact.id, contact);
      else next.delete(contact.id);
      return next;
    });
  }, []);
  const selectedIds = useMemo(() => new Set(selected.keys()), [selected]);
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  const nothingAtAll = !filtered && contacts.isSuccess && items.length === 0;

  const toolbar = (
    <div className="flex flex-wrap gap-2">
      <Button size="sm" onClick={() => setDialog("create")} data-testid="contact-create">
        <Plus aria-hidden="true" />
        {t.actions.create}
      </Button>
      <Button size="sm" variant="outline" onClick={() => setDialog("import")} data-testid="contact-import">
        <Upload aria-hidden="true" />
        {t.actions.import}
      </Button>
      <Button asChild size="sm" variant="outline">
        <a href={contactsApi.exportUrl(filters)} download data-testid="contact-export">
          <Download aria-hidden="true" />
          {t.actions.export}
        </a>
      </Button>
    </div>
  );

  return (
    <div className="flex h-full min-h-0">
      <section aria-label={t.title} className={cn("flex min-h-0 w-full flex-col border-r md:w-96 md:shrink-0", activeId ? "hidden md:flex" : "flex")}>
        <div className="flex flex-col gap-3 border-b p-3">
          <h1 className="text-lg font-semibold">{t.title}</h1>
          {toolbar}
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
              placeholder={t.search}
              aria-label={t.searchLabel}
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
                aria-label={t.clearSearch}
                className="absolute right-1.5 top-1/2 -translate-y-1/2 rounded-sm p-1 text-muted-foreground hover:text-foreground"
              >
                <X className="size-4" aria-hidden="true" />
              </button>
            ) : null}
          </div>
          <div className="grid grid-cols-2 gap-2">
            <Select className="col-span-2" aria-label={t.filters.tag} value={filters.tag} onChange={(e) => setFilter("tag", e.target.value)} data-testid="tag-filter">
              <option value="">{t.filters.anyTag}</option>
              {filters.tag && !(tags.data ?? []).some((x) => x.tag === filters.tag) ? <option value={filters.tag}>{filters.tag}</option> : null}
              {(tags.data ?? []).map((x) => (
                <option key={x.tag} value={x.tag}>
                  {x.tag} ({x.count})
                </option>
              ))}
            </Select>
            <Select aria-label={t.filters.channel} value={filters.channel} onChange={(e) => setFilter("channel", e.target.value)} data-testid="contact-channel-filter">
              <option value="">{t.filters.anyChannel}</option>
              {CONTACT_CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {m.channels[c]}
                </option>
              ))}
            </Select>
            <Select aria-label={t.filters.consent} value={filters.opted_out} onChange={(e) => setFilter("opted_out", e.target.value)} data-testid="consent-filter">
              <option value="">{t.filters.anyConsent}</option>
              <option value="false">{t.filters.allowed}</option>
              <option value="true">{t.filters.optedOut}</option>
            </Select>
          </div>
          {selected.size > 0 ? (
            <div className="flex items-center gap-2 rounded-md bg-accent px-2 py-1.5 text-sm" role="status">
              <span className="flex-1">{t.actions.selected(selected.size)}</span>
              <Button size="sm" variant="ghost" onClick={() => setSelected(new Map())}>
                {t.actions.clearSelection}
              </Button>
              <Button size="sm" onClick={() => setDialog("merge")} disabled={selected.size < 2} data-testid="contact-merge">
                <Merge aria-hidden="true" />
                {t.actions.merge(selected.size)}
              </Button>
            </div>
          ) : null}
        </div>
        {contacts.isPending ? (
          <div role="status" aria-label={m.app.loading} className="min-h-0 flex-1 overflow-hidden">
            <ContactListSkeleton />
          </div>
        ) : contacts.isError ? (
          <div role="alert" className="grid gap-3 p-6 text-center text-sm">
            <p className="font-medium">{t.loadError}</p>
            <p className="text-muted-foreground">{describeError(contacts.error, m)}</p>
            <Button variant="outline" size="sm" className="mx-auto" onClick={() => void contacts.refetch()}>
              {m.app.retry}
            </Button>
          </div>
        ) : nothingAtAll ? (
          <EmptyState icon={Users} title={t.emptyTitle}>
            {t.emptyBody}
          </EmptyState>
        ) : items.length === 0 ? (
          <div className="grid gap-3 p-6 text-center text-sm text-muted-foreground" role="status">
            <p>{t.noResults}</p>
            <Button variant="outline" size="sm" className="mx-auto" onClick={() => setFilter("clear")}>
              {t.clearFilters}
            </Button>
          </div>
        ) : (
          <ContactList
            items={items}
            activeId={activeId}
            hasNextPage={Boolean(hasNextPage)}
            isFetchingNextPage={isFetchingNextPage}
            fetchNextPage={loadMore}
            selected={selectedIds}
            onSelect={onSelect}
          />
        )}
      </section>
      <div className={cn("min-h-0 min-w-0 flex-1", activeId ? "flex" : "hidden md:flex")}>
        <Outlet />
      </div>
      {dialog === "create" ? (
        <ContactFormDialog open onOpenChange={(o) => !o && setDialog(null)} onSaved={(c) => navigate({ pathname: `/contacts/${c.id}`, search: params.toString() })} />
      ) : null}
      {dialog === "merge" ? (
        <MergeDialog
          open
          onOpenChange={(o) => !o && setDialog(null)}
          contacts={[...selected.values()]}
          onMerged={(kept) => {
            setSelected(new Map());
            navigate({ pathname: `/contacts/${kept.id}`, search: params.toString() });
          }}
        />
      ) : null}
      {dialog === "import" ? (
        <Suspense fallback={null}>
          <ImportDialog open onOpenChange={(o) => !o && setDialog(null)} />
        </Suspense>
      ) : null}
    </div>
  );
}
