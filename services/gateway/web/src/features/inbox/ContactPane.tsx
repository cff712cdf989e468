import { ExternalLink, PanelRight } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";
import type { InboxConversation } from "@/api/inbox";
import { InitialsAvatar } from "@/components/ui/avatar";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Sheet, SheetContent, SheetDescription, SheetTitle, SheetTrigger } from "@/components/ui/sheet";
import { CONTACT_CHANNELS, useContact } from "@/features/contacts/hooks";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatDateTime, formatPhone } from "@/i18n/format";
import { ChannelIcon } from "./ChannelIcon";
import { inboxMessages } from "./i18n";
import { NotesPanel } from "./NotesPanel";

/** Who the customer is (fields, tags, consent per channel) and the team's notes on this conversation. */
function ContactDetails({ conversation }: { conversation: InboxConversation }) {
  const { m, lang } = useI18n();
  const t = useMessages(inboxMessages);
  const { contact } = conversation;
  const full = useContact(contact.id).data;
  return (
    <div className="grid gap-5">
      <div className="flex flex-col items-center gap-2 text-center">
        <InitialsAvatar name={contact.name} phone={contact.phone} seed={contact.id} className="size-16 text-lg" />
        <h2 className="text-base font-semibold">{contact.name || m.contact.noName}</h2>
        <Button asChild variant="link" size="sm" className="h-auto p-0">
          <Link to={`/contacts/${contact.id}`}>
            <ExternalLink aria-hidden="true" />
            {t.details.openContact}
          </Link>
        </Button>
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
        {full?.email ? (
          <div>
            <dt className="text-xs text-muted-foreground">{t.details.email}</dt>
            <dd className="break-all font-medium">{full.email}</dd>
          </div>
        ) : null}
        <div>
          <dt className="text-xs text-muted-foreground">{m.contact.channel}</dt>
          <dd className="flex items-center gap-1.5 font-medium">
            <ChannelIcon channel={conversation.channel} />
            {m.channels[conversation.channel] ?? conversation.channel}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">{m.contact.status}</dt>
          <dd className="font-medium">{t.status.names[conversation.status] ?? conversation.status}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">{m.contact.since}</dt>
          <dd className="font-medium">{formatDateTime(new Date(conversation.created_at), lang)}</dd>
        </div>
        {full?.tags?.length ? (
          <div>
            <dt className="text-xs text-muted-foreground">{t.details.tags}</dt>
            <dd className="mt-1 flex flex-wrap gap-1">
              {full.tags.map((tag) => (
                <Badge key={tag} variant="secondary">
                  {tag}
                </Badge>
              ))}
            </dd>
          </div>
        ) : null}
        {full ? (
          <div>
            <dt className="text-xs text-muted-foreground">{t.details.consent}</dt>
            <dd className="mt-1 grid gap-1">
              {CONTACT_CHANNELS.map((channel) => {
                const allowed = full.consent?.[channel]?.allowed !== false;
                return (
                  <span key={channel} className="flex items-center gap-1.5" data-testid="consent" data-channel={channel} data-allowed={allowed}>
                    <ChannelIcon channel={channel} />
                    <span className="font-medium">{m.channels[channel]}:</span>
                    <span className={allowed ? "text-success" : "text-destructive"}>{allowed ? t.details.allowed : t.details.optedOut}</span>
                  </span>
                );
              })}
            </dd>
          </div>
        ) : null}
        {Object.entries(full?.custom_fields ?? {}).map(([field, value]) => (
          <div key={field}>
            <dt className="text-xs text-muted-foreground">{field}</dt>
            <dd className="break-words font-medium">{value}</dd>
          </div>
        ))}
      </dl>
      <NotesPanel conversationId={conversation.id} />
    </div>
  );
}

/** The right pane on wide screens. */
export function ContactPane({ conversation }: { conversation: InboxConversation }) {
  const { m } = useI18n();
  return (
    <aside aria-label={m.contact.title} className="hidden w-80 shrink-0 overflow-y-auto border-l p-5 xl:block">
      <ContactDetails conversation={conversation} />
    </aside>
  );
}

/** The same, as a drawer from the thread's header, on narrower screens and phones. */
export function ContactSheet({ conversation }: { conversation: InboxConversation }) {
  const { m } = useI18n();
  const t = useMessages(inboxMessages);
  const [open, setOpen] = useState(false);
  return (
    <Sheet open={open} onOpenChange={setOpen}>
      <SheetTrigger asChild>
        <Button variant="ghost" size="icon" className="xl:hidden" aria-label={t.details.open} title={t.details.open} data-testid="open-details">
          <PanelRight aria-hidden="true" />
        </Button>
      </SheetTrigger>
      <SheetContent side="right" closeLabel={t.details.close} className="w-96 overflow-y-auto bg-background p-5 pt-12" aria-describedby={undefined}>
        <SheetTitle className="sr-only">{m.contact.title}</SheetTitle>
        <SheetDescription className="sr-only">{t.details.open}</SheetDescription>
        <ContactDetails conversation={conversation} />
      </SheetContent>
    </Sheet>
  );
}
