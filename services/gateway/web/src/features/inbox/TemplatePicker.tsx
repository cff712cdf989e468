import { useQuery } from "@tanstack/react-query";
import { ArrowLeft, ExternalLink, FileText, LoaderCircle, Search } from "lucide-react";
import { type FormEvent, useMemo, useState } from "react";
import { channelsApi, type WhatsAppTemplate } from "@/api/channels";
import type { TemplateContent } from "@/api/inbox";
import { itemsOf } from "@/api/inbox";
import { keys } from "@/api/keys";
import { useTenantId } from "@/app/session";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { describeError } from "@/lib/errors";
import { cn } from "@/lib/utils";
import type { SendProblem } from "./Composer";
import { inboxMessages, type InboxWords } from "./i18n";
import { buildTemplateContent, extractVariables, missingVariables, renderTemplate, type Segment, type VariableSlot } from "./templates";

/** The approved templates of a WhatsApp number (shared with Settings → Channels through the query cache). */
export function useTemplates(numberId: string, status = "APPROVED") {
  const tenantId = useTenantId();
  return useQuery({
    queryKey: [...keys.templates(tenantId, numberId), status],
    queryFn: async ({ signal }) => itemsOf(await channelsApi.templates({ number_id: numberId, status }, signal)),
    staleTime: 60_000,
  });
}

function Segments({ segments }: { segments: Segment[] }) {
  return (
    <>
      {segments.map((s, i) =>
        s.variable ? (
          <mark
            key={i}
            className={cn("rounded-sm px-0.5", s.filled ? "bg-primary/15 text-foreground" : "bg-warning/20 text-foreground")}
            data-variable={s.variable}
          >
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}

/** The message as the customer will see it, filled in live. */
function Preview({ template, values }: { template: WhatsAppTemplate; values: Record<string, string> }) {
  const t = useMessages(inboxMessages);
  const view = renderTemplate(template, values);
  return (
    <section aria-label={t.templates.preview} className="rounded-lg bg-thread p-3" data-testid="template-preview">
      <div className="ml-auto max-w-[90%] rounded-lg rounded-tr-sm bg-bubble-out px-3 py-2 text-sm shadow-xs">
        {view.header ? (
          view.header.kind === "text" ? (
            <p className="mb-1 font-semibold">
              <Segments segments={view.header.segments} />
            </p>
          ) : (
            <p className="mb-1 rounded-md border border-dashed px-2 py-3 text-center text-xs text-muted-foreground">
              {t.media.kinds[view.header.kind]}
              {view.header.link ? `: ${view.header.link}` : ""}
            </p>
          )
        ) : null}
        <p className="whitespace-pre-wrap break-words">
          <Segments segments={view.body} />
        </p>
        {view.footer ? <p className="mt-1 text-xs text-muted-foreground">{view.footer}</p> : null}
        {view.buttons.length ? (
          <ul className="mt-2 grid gap-1 border-t pt-2">
            {view.buttons.map((b, i) => (
              <li key={i} className="flex items-center justify-center gap-1 text-center text-sm font-medium text-sky-700 dark:text-sky-300">
                {b.type === "URL" ? <ExternalLink className="size-3.5" aria-hidden="true" /> : null}
                {b.text}
                {b.url ? <span className="sr-only"> ({b.url})</span> : null}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </section>
  );
}

function slotLabel(slot: VariableSlot, t: InboxWords): string {
  if (slot.kind !== "text") return t.templates.mediaLink(t.media.kinds[slot.kind] ?? slot.kind);
  if (slot.component === "header") return t.templates.headerVariable(slot.name);
  if (slot.component === "button") return t.templates.buttonVariable(slot.name);
  return t.templates.variable(slot.name);
}

function TemplateForm({
  template,
  onBack,
  onSend,
}: {
  template: WhatsAppTemplate;
  onBack: () => void;
  onSend: (content: TemplateContent) => Promise<SendProblem | null>;
}) {
  const { m } = useI18n();
  const t = useMessages(inboxMessages);
  const slots = useMemo(() => extractVariables(template), [template]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<SendProblem | null>(null);
  const [tried, setTried] = useState(false);
  const missing = missingVariables(slots, values);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setTried(true);
    if (missing.length) {
      event.currentTarget.querySelector<HTMLInputElement>(`[name="${CSS.escape(missing[0]!.key)}"]`)?.focus();
      return;
    }
    setSending(true);
    setProblem(await onSend(buildTemplateContent(template, values)));
    setSending(false);
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="grid gap-4" aria-label={template.name} data-testid="template-form" data-template-name={template.name}>
      <div className="flex flex-wrap items-center gap-2">
        <Button type="button" variant="ghost" size="sm" onClick={onBack}>
          <ArrowLeft aria-hidden="true" />
          {t.templates.back}
        </Button>
        <span className="font-mono text-sm font-medium">{template.name}</span>
        <Badge variant="muted">{template.language}</Badge>
      </div>
      <div className="grid gap-4 md:grid-cols-2">
        <fieldset className="grid content-start gap-3">
          <legend className="mb-1 text-sm font-medium">{t.templates.variables}</legend>
          {slots.length === 0 ? <p className="text-sm text-muted-foreground">—</p> : null}
          {slots.map((slot, i) => (
            <Field
              key={slot.key}
              label={slotLabel(slot, t)}
              hint={slot.example ? t.templates.example(slot.example) : undefined}
              error={tried && missing.includes(slot) ? m.validation.required : undefined}
            >
              {(ids) => (
                <Input
                  {...ids}
                  name={slot.key}
                  type={slot.kind === "text" ? "text" : "url"}
                  value={values[slot.key] ?? ""}
                  onChange={(e) => setValues((v) => ({ ...v, [slot.key]: e.target.value }))}
                  placeholder={slot.example}
                  autoFocus={i === 0}
                  data-testid="template-variable"
                  data-variable={slot.key}
                />
              )}
            </Field>
          ))}
        </fieldset>
        <Preview template={template} values={values} />
      </div>
      {problem ? (
        <p role="alert" className="rounded-md border border-destructive/40 bg-destructive/5 px-3 py-2 text-sm" data-testid="template-error" data-reason={problem.reason ?? undefined}>
          {problem.text}
        </p>
      ) : null}
      <DialogFooter>
        <p className="mr-auto self-center text-xs text-muted-foreground" aria-live="polite">
          {missing.length ? t.templates.missing(missing.length) : ""}
        </p>
        <Button type="submit" disabled={sending} data-testid="template-send">
          {sending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
          {t.templates.send}
        </Button>
      </DialogFooter>
    </form>
  );
}

/**
 * Choose an approved template, fill its variables (one input per placeholder) while the preview shows the
 * result, and send it as TemplateContent. A refusal from the server shows in the dialog.
 */
export default function TemplatePicker({
  open,
  onOpenChange,
  numberId,
  onSend,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  numberId: string;
  contactName?: string;
  onSend: (content: TemplateContent) => Promise<SendProblem | null>;
}) {
  const { m } = useI18n();
  const t = useMessages(inboxMessages);
  const templates = useTemplates(numberId);
  const [q, setQ] = useState("");
  const [chosen, setChosen] = useState<WhatsAppTemplate | null>(null);
  const list = (templates.data ?? []).filter((tpl) => {
    const needle = q.trim().toLowerCase();
    if (!needle) return true;
    const body = tpl.components.find((c) => c.type.toUpperCase() === "BODY")?.text ?? "";
    return tpl.name.toLowerCase().includes(needle) || body.toLowerCase().includes(needle);
  });

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={m.app.close} className="sm:max-w-3xl" data-testid="template-picker">
        <DialogHeader>
          <DialogTitle>{t.templates.title}</DialogTitle>
          <DialogDescription>{t.templates.description}</DialogDescription>
        </DialogHeader>
        {chosen ? (
          <TemplateForm
            template={chosen}
            onBack={() => setChosen(null)}
            onSend={async (content) => {
              const problem = await onSend(content);
              if (!problem) onOpenChange(false);
              return problem;
            }}
          />
        ) : (
          <div className="grid gap-3">
            <div className="relative">
              <Search className="pointer-events-none absolute left-2.5 top-1/2 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden="true" />
              <Input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t.templates.search} aria-label={t.templates.search} className="pl-8" />
            </div>
            {templates.isPending ? (
              <div className="grid gap-2" role="status" aria-label={m.app.loading}>
                <Skeleton className="h-16" />
                <Skeleton className="h-16" />
              </div>
            ) : templates.isError ? (
              <p role="alert" className="text-sm">
                {t.templates.loadError} {describeError(templates.error, m)}
              </p>
            ) : list.length === 0 ? (
              <p className="py-6 text-center text-sm text-muted-foreground">{t.templates.none}</p>
            ) : (
              <ul aria-label={t.templates.pick} className="grid max-h-[55dvh] gap-2 overflow-y-auto">
                {list.map((tpl) => {
                  const body = tpl.components.find((c) => c.type.toUpperCase() === "BODY")?.text ?? "";
                  return (
                    <li key={tpl.id}>
                      <button
                        type="button"
                        onClick={() => setChosen(tpl)}
                        className="grid w-full gap-1 rounded-md border p-3 text-left hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring"
                        data-testid="template-option"
                        data-template-name={tpl.name}
                      >
                        <span className="flex flex-wrap items-center gap-2">
                          <FileText className="size-4 text-muted-foreground" aria-hidden="true" />
                          <span className="font-mono text-sm font-medium">{tpl.name}</span>
                          <Badge variant="muted">{tpl.language}</Badge>
                          {tpl.category ? <Badge variant="outline">{t.templates.category[tpl.category] ?? tpl.category}</Badge> : null}
                        </span>
                        <span className="line-clamp-2 text-sm text-muted-foreground">{body}</span>
                      </button>
                    </li>
                  );
                })}
              </ul>
            )}
          </div>
        )}
      </DialogContent>
    </Dialog>
  );
}
