import { useMutation, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { type Contact, contactsApi } from "@/api/contacts";
import { keys } from "@/api/keys";
import { useTenantId } from "@/app/session";
import { InitialsAvatar } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatDateTime, formatPhone } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { cn } from "@/lib/utils";
import { contactsMessages } from "./i18n";

/** Duplicates become one: the agent picks the contact that stays (the oldest by default). */
export function MergeDialog({
  open,
  onOpenChange,
  contacts,
  onMerged,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  contacts: Contact[];
  onMerged: (kept: Contact) => void;
}) {
  const { m, lang } = useI18n();
  const t = useMessages(contactsMessages);
  const tenantId = useTenantId();
  const client = useQueryClient();
  const oldest = [...contacts].sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime())[0];
  const [keep, setKeep] = useState<string>(oldest?.id ?? "");
  const merge = useMutation({
    mutationFn: () => contactsApi.merge(keep, contacts.filter((c) => c.id !== keep).map((c) => c.id)),
    onSuccess: (kept) => {
      for (const c of contacts) if (c.id !== keep) client.removeQueries({ queryKey: keys.contact(tenantId, c.id) });
      void client.invalidateQueries({ queryKey: keys.contactLists(tenantId) });
      void client.invalidateQueries({ queryKey: keys.contact(tenantId, keep) });
      void client.invalidateQueries({ queryKey: keys.contactTimeline(tenantId, keep) });
      void client.invalidateQueries({ queryKey: keys.conversationLists(tenantId) });
      toast.success(t.merge.done(contacts.length - 1));
      onOpenChange(false);
      onMerged(kept && "id" in kept ? kept : contacts.find((c) => c.id === keep)!);
    },
    onError: (error) => toast.error(describeError(error, m)),
  });
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={m.app.close} data-testid="merge-dialog">
        <DialogHeader>
          <DialogTitle>{t.merge.title}</DialogTitle>
          <DialogDescription>{t.merge.description}</DialogDescription>
        </DialogHeader>
        <fieldset className="grid gap-2">
          <legend className="mb-2 text-sm font-medium">{t.merge.keep}</legend>
          {contacts.map((c) => (
            <label
              key={c.id}
              className={cn(
                "flex cursor-pointer items-center gap-3 rounded-md border p-3 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring",
                keep === c.id && "border-primary bg-accent",
              )}
            >
              <input type="radio" name="keep" value={c.id} checked={keep === c.id} onChange={() => setKeep(c.id)} className="accent-[var(--primary)]" />
              <InitialsAvatar name={c.name} phone={c.phone} seed={c.id} className="size-8" />
              <span className="grid min-w-0 text-sm">
                <span className="truncate font-medium">{c.name || formatPhone(c.phone)}</span>
                <span className="truncate text-xs text-muted-foreground">
                  {formatPhone(c.phone)}
                  {c.email ? ` · ${c.email}` : ""} · {formatDateTime(new Date(c.created_at), lang)}
                </span>
              </span>
            </label>
          ))}
        </fieldset>
        <DialogFooter>
          <Button type="button" variant="ghost" onClick={() => onOpenChange(false)}>
            {m.app.close}
          </Button>
          <Button onClick={() => merge.mutate()} disabled={merge.isPending || contacts.length < 2} data-testid="merge-confirm">
            {merge.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
            {merge.isPending ? t.merge.merging : t.merge.confirm}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
