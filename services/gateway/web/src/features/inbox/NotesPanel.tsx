import { useMutation, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle, StickyNote } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { toast } from "sonner";
import { inboxApi, type Note } from "@/api/inbox";
import { keys } from "@/api/keys";
import { useMe, useTenantId } from "@/app/session";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { Textarea } from "@/components/ui/textarea";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatDateTime } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { useMembers, useNotes } from "./hooks";
import { inboxMessages } from "./i18n";

/** Internal notes of a conversation: the team's, never sent to the customer. Ctrl+Enter adds one. */
export function NotesPanel({ conversationId }: { conversationId: string }) {
  const { m, lang } = useI18n();
  const t = useMessages(inboxMessages);
  const tenantId = useTenantId();
  const client = useQueryClient();
  const { data: me } = useMe();
  const notes = useNotes(conversationId);
  const members = useMembers();
  const [body, setBody] = useState("");
  const headingId = useId();
  const add = useMutation({
    mutationFn: (text: string) => inboxApi.addNote(conversationId, text),
    onSuccess: (note) => {
      setBody("");
      client.setQueryData<Note[]>(keys.notes(tenantId, conversationId), (list) =>
        list?.some((n) => n.id === note.id) ? list : [...(list ?? []), note],
      );
      toast.success(t.notes.saved);
    },
    onError: (error) => toast.error(describeError(error, m)),
  });
  const author = (note: Note) => {
    const member = members.data?.find((x) => x.user_id === note.author_user_id);
    if (member) return member.name || member.email;
    return note.author_user_id && note.author_user_id === me?.user.id ? me.user.name : null;
  };

  function submit(event?: FormEvent) {
    event?.preventDefault();
    const text = body.trim();
    if (text && !add.isPending) add.mutate(text);
  }

  return (
    <section aria-labelledby={headingId} className="grid gap-3" data-testid="notes-panel">
      <div>
        <h3 id={headingId} className="flex items-center gap-1.5 text-sm font-semibold">
          <StickyNote className="size-4 text-warning" aria-hidden="true" />
          {t.notes.title}
        </h3>
        <p className="text-xs text-muted-foreground">{t.notes.hint}</p>
      </div>
      {notes.isPending ? (
        <Skeleton className="h-14" />
      ) : notes.isError ? (
        <p role="alert" className="text-xs">
          {t.notes.loadError} {describeError(notes.error, m)}
        </p>
      ) : notes.data.length === 0 ? (
        <p className="text-xs text-muted-foreground">{t.notes.none}</p>
      ) : (
        <ol className="grid gap-2" aria-label={t.notes.title}>
          {notes.data.map((note) => {
            const who = author(note);
            return (
              <li key={note.id} className="rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-sm" data-testid="note">
                <p className="whitespace-pre-wrap break-words">{note.body}</p>
                <p className="mt-1 text-xs text-muted-foreground">
                  {formatDateTime(new Date(note.created_at), lang)}
                  {who ? ` · ${t.notes.by(who)}` : ""}
                </p>
              </li>
            );
          })}
        </ol>
      )}
      <form onSubmit={submit} className="grid gap-2" aria-label={t.notes.add}>
        <Textarea
          value={body}
          onChange={(e) => setBody(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              submit();
            }
          }}
          placeholder={t.notes.placeholder}
          aria-label={t.notes.placeholder}
          maxLength={4000}
          rows={2}
          data-testid="note-input"
        />
        <Button type="submit" variant="secondary" size="sm" disabled={!body.trim() || add.isPending} className="justify-self-end">
          {add.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
          {add.isPending ? t.notes.saving : t.notes.add}
        </Button>
      </form>
    </section>
  );
}
