import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { ArrowDownLeft, ArrowLeft, ArrowUpRight, CircleAlert, LoaderCircle, Pencil, Plus, StickyNote, Trash2, X } from "lucide-react";
import { type FormEvent, useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { toast } from "sonner";
import { type Consent, type Contact, type ContactInput, contactsApi } from "@/api/contacts";
import { keys } from "@/api/keys";
import { ApiError } from "@/api/problems";
import { useTenantId } from "@/app/session";
import { EmptyState } from "@/components/EmptyState";
import { InitialsAvatar } from "@/components/ui/avatar";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";
import { ChannelIcon } from "@/features/inbox/ChannelIcon";
import { MessageBody } from "@/features/inbox/MessageBody";
import { StatusTick } from "@/features/inbox/StatusTick";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatDateTime, formatPhone } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { cn } from "@/lib/utils";
import { ContactFormDialog } from "./ContactForm";
import { applyContactPatch } from "./contactPatch";
import { slug } from "./csv";
import { CONTACT_CHANNELS, useContact } from "./hooks";
import { contactsMessages } from "./i18n";

/** Saves part of a contact at once (tags, custom fields, consent), putting it back if the server refuses. */
function useContactPatch(contact: Contact) {
  const { m } = useI18n();
  const tenantId = useTenantId();
  const client = useQueryClient();
  const key = keys.contact(tenantId, contact.id);
  return useMutation({
    mutationFn: async (change: { body?: ContactInput; consent?: { channel: string; allowed: boolean } }) => {
      if (change.consent) return contactsApi.setConsent(contact.id, change.consent.channel, change.consent.allowed);
      return contactsApi.update(contact.id, change.body ?? {});
    },
    onMutate: (change) => {
      const before = client.getQueryData<Contact>(key);
      client.setQueryData<Contact>(key, (c) => {
        if (!c) return c;
        if (!change.consent) return applyContactPatch(c, change.body ?? {});
        const consent: Consent = { allowed: change.consent.allowed, changed_at: new Date().toISOString(), reason: "request" };
        return { ...c, consent: { ...c.consent, [change.consent.channel]: consent } };
      });
      return { before };
    },
    onSuccess: (answer) => {
      if (answer && typeof answer === "object" && "id" in answer && "phone" in answer) client.setQueryData(key, answer);
      else void client.invalidateQueries({ queryKey: key });
      void client.invalidateQueries({ queryKey: keys.contactLists(tenantId) });
      void client.invalidateQueries({ queryKey: keys.contactTags(tenantId) });
    },
    onError: (error, _change, context) => {
      if (context?.before) client.setQueryData(key, context.before);
      toast.error(describeError(error, m));
    },
  });
}

function ConsentCard({ contact }: { contact: Contact }) {
  const { m, lang } = useI18n();
  const t = useMessages(contactsMessages);
  const patch = useContactPatch(contact);
  return (
    <Card className="gap-3 py-4">
      <CardHeader className="px-4">
        <CardTitle className="text-base">{t.detail.consent}</CardTitle>
        <CardDescription className="text-xs">{t.detail.consentHint}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3 px-4">
        {CONTACT_CHANNELS.map((channel) => {
          const consent = contact.consent?.[channel];
          const allowed = consent?.allowed !== false;
          const name = m.channels[channel] ?? channel;
          const last = contact.last_inbound_at?.[channel];
          return (
            <div key={channel} className="flex items-start justify-between gap-3" data-testid="consent-row" data-channel={channel} data-allowed={allowed}>
              <div className="grid gap-0.5 text-sm">
                <span className="flex items-center gap-1.5 font-medium">
                  <ChannelIcon channel={channel} />
                  {name}
                </span>
                {consent?.changed_at ? (
                  <span className="text-xs text-muted-foreground">
                    {t.detail.consentSince(formatDateTime(new Date(consent.changed_at), lang), consent.reason ? (t.detail.reasons[consent.reason] ?? consent.reason) : "")}
                  </span>
                ) : null}
                <span className="text-xs text-muted-foreground">
                  {t.detail.lastInbound}: {last ? formatDateTime(new Date(last), lang) : t.detail.never}
                </span>
              </div>
              <Switch
                checked={allowed}
                onCheckedChange={(on) =>
                  patch.mutate(
                    { consent: { channel, allowed: on } },
                    { onSuccess: () => toast.success(on ? t.detail.consentOn(name) : t.detail.consentOff(name)) },
                  )
                }
                aria-label={t.detail.consentLabel(name)}
                data-testid="consent-switch"
              />
            </div>
          );
        })}
      </CardContent>
    </Card>
  );
}

function TagsCard({ contact }: { contact: Contact }) {
  const t = useMessages(contactsMessages);
  const patch = useContactPatch(contact);
  const [tag, setTag] = useState("");
  const tags = contact.tags ?? [];
  function add(event: FormEvent) {
    event.preventDefault();
    const value = tag.trim();
    if (!value || tags.some((x) => x.toLowerCase() === value.toLowerCase())) return setTag("");
    patch.mutate({ body: { tags: [...tags, value] } });
    setTag("");
  }
  return (
    <Card className="gap-3 py-4">
      <CardHeader className="px-4">
        <CardTitle className="text-base">{t.detail.tags}</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-3 px-4">
        {tags.length ? (
          <ul className="flex flex-wrap gap-1.5" aria-label={t.detail.tags}>
            {tags.map((x) => (
              <li key={x}>
                <Badge variant="secondary" className="gap-1 py-1 pr-1">
                  {x}
                  <button
                    type="button"
                    className="rounded-full p-0.5 hover:bg-background/70"
                    aria-label={t.detail.removeTag(x)}
                    onClick={() => patch.mutate({ body: { tags: tags.filter((y) => y !== x) } })}
                  >
                    <X className="size-3" aria-hidden="true" />
                  </button>
                </Badge>
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-muted-foreground">{t.detail.noTags}</p>
        )}
        <form onSubmit={add} className="flex gap-2" aria-label={t.detail.addTag}>
          <Input value={tag} onChange={(e) => setTag(e.target.value)} placeholder={t.detail.newTag} aria-label={t.detail.newTag} maxLength={64} className="h-8" />
          <Button type="submit" size="sm" variant="outline" disabled={!tag.trim()}>
            <Plus aria-hidden="true" />
            {t.detail.addTag}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}

function FieldsCard({ contact }: { contact: Contact }) {
  const t = useMessages(contactsMessages);
  const patch = useContactPatch(contact);
  const fields = contact.custom_fields ?? {};
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const save = (change: Record<string, string | null>) => patch.mutate({ body: { custom_fields: change } });
  function add(event: FormEvent) {
    event.preventDefault();
    const field = slug(name);
    if (!field || !value.trim()) return;
    save({ [field]: value.trim() });
    setName("");
    setValue("");
  }
  return (
    <Card className="gap-3 py-4">
      <CardHeader className="px-4">
        <CardTitle className="text-base">{t.detail.customFields}</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-3 px-4">
        {Object.keys(fields).length === 0 ? <p className="text-sm text-muted-foreground">{t.detail.noFields}</p> : null}
        <dl className="grid gap-2">
          {Object.entries(fields).map(([field, current]) => (
            <div key={field} className="grid grid-cols-[minmax(0,2fr)_minmax(0,3fr)_auto] items-center gap-2">
              <dt className="truncate text-sm text-muted-foreground" title={field}>
                {field}
              </dt>
              <dd>
                <Input
                  value={drafts[field] ?? current}
                  onChange={(e) => setDrafts((d) => ({ ...d, [field]: e.target.value }))}
                  onBlur={() => {
                    const draft = drafts[field];
                    if (draft !== undefined && draft.trim() && draft.trim() !== current) save({ [field]: draft.trim() });
                    setDrafts(({ [field]: _gone, ...rest }) => rest);
                  }}
                  onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()}
                  aria-label={field}
                  className="h-8"
                />
              </dd>
              <Button
                type="button"
                variant="ghost"
                size="icon-sm"
                aria-label={t.detail.removeField(field)}
                onClick={() => save({ [field]: null })}
              >
                <X aria-hidden="true" />
              </Button>
            </div>
          ))}
        </dl>
        <form onSubmit={add} className="grid grid-cols-[minmax(0,2fr)_minmax(0,3fr)_auto] gap-2" aria-label={t.detail.addField}>
          <Input value={name} onChange={(e) => setName(e.target.value)} placeholder={t.detail.fieldName} aria-label={t.detail.fieldName} title={t.detail.fieldNameHint} className="h-8" />
          <Input value={value} onChange={(e) => setValue(e.target.value)} placeholder={t.detail.fieldValue} aria-label={t.detail.fieldValue} className="h-8" />
          <Button type="submit" size="icon-sm" variant="outline" aria-label={t.detail.addField} disabled={!slug(name) || !value.trim()}>
            <Plus aria-hidden="true" />
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}

function Timeline({ contact }: { contact: Contact }) {
  const { m, lang } = useI18n();
  const t = useMessages(contactsMessages);
  const tenantId = useTenantId();
  const query = useInfiniteQuery({
    queryKey: keys.contactTimeline(tenantId, contact.id),
    queryFn: ({ pageParam, signal }) => contactsApi.timeline(contact.id, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = (query.data?.pages ?? []).flatMap((p) => p.items);
  return (
    <section aria-labelledby="timeline-title" className="grid gap-3">
      <h2 id="timeline-title" className="text-base font-semibold">
        {t.detail.timeline}
      </h2>
      {query.isPending ? (
        <div className="grid gap-2" aria-hidden="true">
          <Skeleton className="h-14" />
          <Skeleton className="h-14" />
        </div>
      ) : query.isError ? (
        <p role="alert" className="text-sm">
          {t.detail.timelineError} {describeError(query.error, m)}
        </p>
      ) : items.length === 0 ? (
        <p className="text-sm text-muted-foreground">{t.detail.timelineEmpty}</p>
      ) : (
        <ol className="grid gap-2" data-testid="contact-timeline">
          {items.map((item) => {
            const note = item.kind === "note" ? item.note : null;
            const message = item.kind === "message" ? item.message : null;
            const channel = item.channel ?? message?.channel ?? null;
            const outbound = message?.direction === "outbound";
            const conversationId = message?.conversation_id ?? note?.conversation_id ?? null;
            return (
              <li
                key={`${item.kind}-${message?.id ?? note?.id ?? item.at}`}
                className={cn("grid gap-1 rounded-md border p-3 text-sm", note ? "border-warning/40 bg-warning/10" : "bg-card")}
                data-testid="timeline-item"
                data-kind={item.kind}
                data-channel={channel ?? undefined}
              >
                <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
                  {note ? (
                    <span className="flex items-center gap-1 font-medium text-foreground">
                      <StickyNote className="size-3.5 text-warning" aria-hidden="true" />
                      {t.detail.note}
                    </span>
                  ) : (
                    <span className="flex items-center gap-1 font-medium text-foreground">
                      {channel ? <ChannelIcon channel={channel} /> : null}
                      {channel ? (m.channels[channel] ?? channel) : null}
                      {outbound ? <ArrowUpRight className="size-3.5" aria-hidden="true" /> : <ArrowDownLeft className="size-3.5" aria-hidden="true" />}
                      <span className="font-normal text-muted-foreground">{outbound ? t.detail.outbound : t.detail.inbound}</span>
                    </span>
                  )}
                  <time dateTime={item.at}>{formatDateTime(new Date(item.at), lang)}</time>
                  {message && outbound ? <StatusTick status={message.status} error={message.error} /> : null}
                  {conversationId ? (
                    <Link to={`/inbox/${conversationId}`} className="ml-auto font-medium text-primary underline-offset-4 hover:underline">
                      {t.detail.openConversation}
                    </Link>
                  ) : null}
                </div>
                {note ? <p className="whitespace-pre-wrap break-words">{note.body}</p> : message ? <MessageBody message={message} /> : null}
              </li>
            );
          })}
        </ol>
      )}
      {query.hasNextPage ? (
        <Button variant="outline" size="sm" className="justify-self-center" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          {query.isFetchingNextPage ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
          {t.detail.loadMore}
        </Button>
      ) : null}
    </section>
  );
}

function DeleteDialog({ contact, open, onOpenChange }: { contact: Contact; open: boolean; onOpenChange: (open: boolean) => void }) {
  const { m } = useI18n();
  const t = useMessages(contactsMessages);
  const tenantId = useTenantId();
  const client = useQueryClient();
  const navigate = useNavigate();
  const { search } = useLocation();
  const remove = useMutation({
    mutationFn: () => contactsApi.remove(contact.id),
    onSuccess: () => {
      client.removeQueries({ queryKey: keys.contact(tenantId, contact.id) });
      void client.invalidateQueries({ queryKey: keys.contactLists(tenantId) });
      toast.success(t.detail.deleted);
      onOpenChange(false);
      navigate({ pathname: "/contacts", search });
    },
    onError: (error) => toast.error(describeError(error, m)),
  });
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={m.app.close} role="alertdialog">
        <DialogHeader>
          <DialogTitle>{t.detail.deleteTitle}</DialogTitle>
          <DialogDescription>{t.detail.deleteBody}</DialogDescription>
        </DialogHeader>
        <DialogFooter>
          <Button variant="ghost" onClick={() => onOpenChange(false)}>
            {t.form.cancel}
          </Button>
          <Button variant="destructive" onClick={() => remove.mutate()} disabled={remove.isPending}>
            {remove.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : <Trash2 aria-hidden="true" />}
            {t.detail.deleteConfirm}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

/** One contact: details, consent per channel, tags, custom fields and the history on every channel. */
export default function ContactDetail() {
  const { m, lang } = useI18n();
  const t = useMessages(contactsMessages);
  const { contactId = "" } = useParams();
  const { search } = useLocation();
  const query = useContact(contactId);
  const [dialog, setDialog] = useState<"edit" | "delete" | null>(null);
  const contact = query.data;
  const back = (
    <Button asChild variant="ghost" size="icon" className="md:hidden">
      <Link to={{ pathname: "/contacts", search }} aria-label={t.back}>
        <ArrowLeft aria-hidden="true" />
      </Link>
    </Button>
  );

  if (query.isError && !contact) {
    const notFound = query.error instanceof ApiError && [400, 404, 422].includes(query.error.status);
    return (
      <div className="flex flex-1 flex-col">
        <div className="border-b p-2 md:hidden">{back}</div>
        <EmptyState icon={CircleAlert} title={notFound ? t.notFound : t.loadError}>
          {notFound ? null : describeError(query.error, m)}
        </EmptyState>
      </div>
    );
  }
  if (!contact) {
    return (
      <div className="flex flex-1 flex-col gap-4 p-6" role="status" aria-label={m.app.loading}>
        <Skeleton className="h-10 w-64" />
        <Skeleton className="h-40 w-full" />
        <Skeleton className="h-40 w-full" />
      </div>
    );
  }
  const name = contact.name || formatPhone(contact.phone);
  return (
    <div className="flex min-w-0 flex-1 flex-col overflow-y-auto" data-testid="contact-detail" data-contact-id={contact.id}>
      <header className="flex shrink-0 items-center gap-3 border-b px-2 py-3 sm:px-5">
        {back}
        <InitialsAvatar name={contact.name} phone={contact.phone} seed={contact.id} className="size-12 text-base" />
        <div className="min-w-0 flex-1">
          <h2 className="truncate text-lg font-semibold" data-testid="contact-name">
            {name}
          </h2>
          <p className="truncate text-sm text-muted-foreground">
            <a href={`tel:${contact.phone}`} className="underline-offset-4 hover:underline">
              {formatPhone(contact.phone)}
            </a>
            {contact.email ? ` · ${contact.email}` : ""}
          </p>
        </div>
        <Button variant="outline" size="sm" onClick={() => setDialog("edit")} data-testid="contact-edit">
          <Pencil aria-hidden="true" />
          <span className="hidden sm:inline">{t.detail.edit}</span>
          <span className="sr-only sm:hidden">{t.detail.edit}</span>
        </Button>
        <Button variant="ghost" size="icon-sm" onClick={() => setDialog("delete")} aria-label={t.detail.delete} title={t.detail.delete}>
          <Trash2 aria-hidden="true" />
        </Button>
      </header>
      <div className="grid gap-5 p-3 sm:p-5 2xl:grid-cols-[minmax(0,22rem)_minmax(0,1fr)]">
        <div className="grid content-start gap-4">
          <p className="text-xs text-muted-foreground">
            {t.detail.createdAt}: {formatDateTime(new Date(contact.created_at), lang)}
          </p>
          <ConsentCard contact={contact} />
          <TagsCard contact={contact} />
          <FieldsCard contact={contact} />
        </div>
        <Timeline contact={contact} />
      </div>
      {dialog === "edit" ? <ContactFormDialog open contact={contact} onOpenChange={(o) => !o && setDialog(null)} /> : null}
      {dialog === "delete" ? <DeleteDialog open contact={contact} onOpenChange={(o) => !o && setDialog(null)} /> : null}
    </div>
  );
}
