/**
 * Writing one message for many people: free text with variables (inserted at the caret, with a fallback), or
 * an approved WhatsApp template whose variables take fixed text or contact variables; SMS shows its
 * segments as you type. Used by each campaign version and each cadence step.
 */
import { Braces, ExternalLink, FileText, Search } from "lucide-react";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import type { CampaignChannel } from "@/api/campaigns";
import type { WhatsAppTemplate } from "@/api/channels";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Textarea } from "@/components/ui/textarea";
import { extractVariables, renderTemplate, type Segment } from "@/features/inbox/templates";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatNumber } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { cn } from "@/lib/utils";
import { useApprovedTemplates } from "./hooks";
import { campaignsMessages } from "./i18n";
import { countTemplateSegments } from "./sms";
import { CONTACT_VARIABLES, insertAt, variableToken, withoutFallback } from "./variables";
import { contentKinds, TEXT_LIMIT, valuesFromContent, type VariantDraft } from "./wizard";

/** "{ } Inserir variável": pick a contact field and an optional fallback; the token goes where the caret was. */
export function VariableInserter({ onInsert, compact = false, className }: { onInsert: (token: string) => void; compact?: boolean; className?: string }) {
  const t = useMessages(campaignsMessages);
  const [open, setOpen] = useState(false);
  const [name, setName] = useState<string>("first_name");
  const [key, setKey] = useState("");
  const [fallback, setFallback] = useState("");
  const id = useId();
  const custom = name === "custom";
  const ready = !custom || /^[a-z][a-z0-9_]*$/.test(key.trim());
  const insert = () => {
    if (!ready) return;
    onInsert(variableToken(custom ? `custom.${key.trim()}` : name, fallback));
    setOpen(false);
    setFallback("");
  };
  return (
    <div className={cn("grid gap-2", className)}>
      <Button
        type="button"
        variant="ghost"
        size="sm"
        className={cn("w-fit", compact && "h-7 px-2 text-xs")}
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((v) => !v)}
        data-testid="insert-variable"
      >
        <Braces aria-hidden="true" />
        {t.message.insertVariable}
      </Button>
      {open ? (
        <div id={id} className="grid gap-2 rounded-md border bg-muted/40 p-3 sm:grid-cols-[10rem_minmax(0,1fr)_auto] sm:items-end" data-testid="variable-panel">
          <Field label={t.message.insertVariable}>
            {(ids) => (
              <Select {...ids} value={name} onChange={(e) => setName(e.target.value)} data-testid="variable-name">
                {[...CONTACT_VARIABLES, "custom"].map((v) => (
                  <option key={v} value={v}>
                    {t.message.variables[v]}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <div className="grid gap-2 sm:grid-flow-col">
            {custom ? (
              <Field label={t.message.customKey}>
                {(ids) => <Input {...ids} value={key} onChange={(e) => setKey(e.target.value)} placeholder="cidade" spellCheck={false} />}
              </Field>
            ) : null}
            <Field label={t.message.fallback}>
              {(ids) => (
                <Input
                  {...ids}
                  value={fallback}
                  onChange={(e) => setFallback(e.target.value)}
                  placeholder={t.message.fallbackPlaceholder}
                  onKeyDown={(e) => {
                    if (e.key === "Enter") {
                      e.preventDefault();
                      insert();
                    }
                  }}
                  data-testid="variable-fallback"
                />
              )}
            </Field>
          </div>
          <Button type="button" size="sm" onClick={insert} disabled={!ready} data-testid="variable-insert">
            {t.message.insert}
          </Button>
        </div>
      ) : null}
    </div>
  );
}

function SmsCounter({ text }: { text: string }) {
  const { lang } = useI18n();
  const t = useMessages(campaignsMessages);
  const c = countTemplateSegments(text);
  return (
    <div className="grid gap-0.5 text-xs text-muted-foreground" aria-live="polite" data-testid="sms-counter" data-segments={c.segments} data-encoding={c.encoding}>
      <span className="flex flex-wrap gap-x-3">
        <span className="font-medium text-foreground">{t.message.sms.counter(formatNumber(text.length, lang), c.segments)}</span>
        <span>{t.message.sms.encoding(c.encoding)}</span>
        <span>{t.message.sms.remaining(c.remaining)}</span>
      </span>
      {c.unicodeChars.length ? <span>{t.message.sms.unicodeBecause(c.unicodeChars.slice(0, 8).join(" "))}</span> : null}
      {c.approximate ? <span>{t.message.sms.approximate}</span> : null}
    </div>
  );
}

/** A textarea that remembers its caret, with the variable inserter and (SMS) the segment counter. */
export function TextWithVariables({
  value,
  onChange,
  channel,
  error,
  label,
  testId,
}: {
  value: string;
  onChange: (text: string) => void;
  channel: CampaignChannel;
  error?: string;
  label: string;
  testId?: string;
}) {
  const t = useMessages(campaignsMessages);
  const ref = useRef<HTMLTextAreaElement>(null);
  const caret = useRef<[number, number]>([value.length, value.length]);
  const remember = () => {
    const el = ref.current;
    if (el) caret.current = [el.selectionStart, el.selectionEnd];
  };
  const noFallback = withoutFallback(value);
  return (
    <div className="grid gap-2">
      <Field label={label} error={error} hint={channel === "whatsapp_meta" ? t.message.textHintWhatsapp : undefined}>
        {(ids) => (
          <Textarea
            {...ids}
            ref={ref}
            value={value}
            onChange={(e) => {
              onChange(e.target.value);
              caret.current = [e.target.selectionStart, e.target.selectionEnd];
            }}
            onSelect={remember}
            onKeyUp={remember}
            onClick={remember}
            onBlur={remember}
            rows={5}
            maxLength={TEXT_LIMIT[channel] + 200}
            placeholder={t.message.textPlaceholder}
            data-testid={testId}
          />
        )}
      </Field>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <VariableInserter
          className="min-w-[min(100%,16rem)] flex-1"
          onInsert={(token) => {
            const [a, b] = caret.current;
            const next = insertAt(value, a, b, token);
            onChange(next.text);
            caret.current = [next.caret, next.caret];
            requestAnimationFrame(() => {
              ref.current?.focus();
              ref.current?.setSelectionRange(next.caret, next.caret);
            });
          }}
        />
        {channel === "sms" ? <SmsCounter text={value} /> : null}
      </div>
      {noFallback.length ? <p className="text-xs text-muted-foreground">{t.message.noFallback(noFallback.join(", "))}</p> : null}
    </div>
  );
}

function Segments({ segments }: { segments: Segment[] }) {
  return (
    <>
      {segments.map((s, i) =>
        s.variable ? (
          <mark key={i} className={cn("rounded-sm px-0.5 text-foreground", s.filled ? "bg-primary/15" : "bg-warning/20")}>
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}

/** A template as the customer sees it, the variables' values (or tokens) marked. */
export function TemplateBubble({ template, values }: { template: WhatsAppTemplate | VariantDraft["template"]; values: Record<string, string> }) {
  const t = useMessages(campaignsMessages);
  if (!template) return null;
  const view = renderTemplate(template, values);
  return (
    <div className="max-w-[95%] rounded-lg rounded-tr-sm bg-bubble-out px-3 py-2 text-sm shadow-xs" data-testid="template-bubble">
      {view.header ? (
        view.header.kind === "text" ? (
          <p className="mb-1 font-semibold">
            <Segments segments={view.header.segments} />
          </p>
        ) : (
          <p className="mb-1 rounded-md border border-dashed px-2 py-3 text-center text-xs text-muted-foreground">{view.header.link ?? view.header.kind}</p>
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
            </li>
          ))}
        </ul>
      ) : null}
      <span className="sr-only">{t.message.preview}</span>
    </div>
  );
}

/** Pick an approved template of the number and fill its variables (fixed text or contact variables). */
function TemplateFields({
  numberId,
  draft,
  onChange,
  error,
}: {
  numberId: string | undefined;
  draft: VariantDraft;
  onChange: (draft: VariantDraft) => void;
  error?: string;
}) {
  const { m } = useI18n();
  const t = useMessages(campaignsMessages);
  const templates = useApprovedTemplates(numberId);
  const [q, setQ] = useState("");
  const [choosing, setChoosing] = useState(!draft.template && !draft.pendingTemplate);
  const slots = useMemo(() => (draft.template ? extractVariables(draft.template) : []), [draft.template]);

  // A draft being edited names its template: matched to the number's templates once they load.
  const pending = draft.pendingTemplate;
  useEffect(() => {
    if (!pending || !templates.data) return;
    const found = templates.data.find((x) => x.name === pending.name && x.language === pending.language);
    if (found) onChange({ ...draft, template: found, templateValues: valuesFromContent(found, pending), pendingTemplate: null });
  }, [pending, templates.data]); // (draft and onChange are read at that moment on purpose)

  if (!numberId) return <p className="text-sm text-muted-foreground">{t.errors.pickSender}</p>;
  if (choosing || (!draft.template && !pending)) {
    const needle = q.trim().toLowerCase();
    const list = (templates.data ?? []).filter((tpl) => {
      if (!needle) return true;
      const body = tpl.components.find((c) => c.type.toUpperCase() === "BODY")?.text ?? "";
      return tpl.name.toLowerCase().includes(needle) || body.toLowerCase().includes(needle);
    });
    return (
      <div className="grid gap-2">
        <div className="relative">
          <Search className="pointer-events-none absolute left-2.5 top-1/2 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden="true" />
          <Input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t.message.searchTemplates} aria-label={t.message.searchTemplates} className="pl-8" />
        </div>
        {templates.isPending ? (
          <div className="grid gap-2" role="status" aria-label={m.app.loading}>
            <Skeleton className="h-14" />
            <Skeleton className="h-14" />
          </div>
        ) : templates.isError ? (
          <p role="alert" className="text-sm">
            {t.message.templatesError} {describeError(templates.error, m)}
          </p>
        ) : list.length === 0 ? (
          <p className="rounded-md border border-dashed p-4 text-sm text-muted-foreground">{t.message.noTemplates}</p>
        ) : (
          <ul aria-label={t.message.pickTemplate} className="grid max-h-72 gap-2 overflow-y-auto">
            {list.map((tpl) => {
              const body = tpl.components.find((c) => c.type.toUpperCase() === "BODY")?.text ?? "";
              return (
                <li key={tpl.id}>
                  <button
                    type="button"
                    onClick={() => {
                      onChange({ ...draft, template: tpl, templateValues: {}, pendingTemplate: null });
                      setChoosing(false);
                    }}
                    className={cn(
                      "grid w-full gap-1 rounded-md border p-3 text-left hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring",
                      draft.template?.name === tpl.name && "border-primary",
                    )}
                    data-testid="campaign-template-option"
                    data-template-name={tpl.name}
                  >
                    <span className="flex flex-wrap items-center gap-2">
                      <FileText className="size-4 text-muted-foreground" aria-hidden="true" />
                      <span className="font-mono text-sm font-medium">{tpl.name}</span>
                      <Badge variant="muted">{tpl.language}</Badge>
                    </span>
                    <span className="line-clamp-2 text-sm text-muted-foreground">{body}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        {error ? (
          <p className="text-xs font-medium text-destructive" data-field-error>
            {error}
          </p>
        ) : null}
      </div>
    );
  }
  if (!draft.template) return <Skeleton className="h-24" />;
  return (
    <div className="grid gap-4 md:grid-cols-2">
      <div className="grid content-start gap-3">
        <div className="flex flex-wrap items-center gap-2">
          <span className="font-mono text-sm font-medium" data-testid="chosen-template">
            {draft.template.name}
          </span>
          <Badge variant="muted">{draft.template.language}</Badge>
          <Button type="button" variant="link" size="sm" className="h-auto px-0" onClick={() => setChoosing(true)}>
            {t.message.changeTemplate}
          </Button>
        </div>
        {slots.some((s) => s.kind === "text") ? <p className="text-xs text-muted-foreground">{t.message.templateHint}</p> : null}
        {slots.map((slot) => (
          <TemplateSlot
            key={slot.key}
            label={slot.kind === "text" ? t.message.templateVariable(slot.name) : slot.kind}
            value={draft.templateValues[slot.key] ?? ""}
            example={slot.example}
            onChange={(value) => onChange({ ...draft, templateValues: { ...draft.templateValues, [slot.key]: value } })}
            media={slot.kind !== "text"}
            slotKey={slot.key}
          />
        ))}
        {error ? (
          <p className="text-xs font-medium text-destructive" data-field-error>
            {error}
          </p>
        ) : null}
      </div>
      <div className="rounded-lg bg-thread p-3">
        <div className="flex justify-end">
          <TemplateBubble template={draft.template} values={draft.templateValues} />
        </div>
      </div>
    </div>
  );
}

function TemplateSlot({
  label,
  value,
  example,
  onChange,
  media,
  slotKey,
}: {
  label: string;
  value: string;
  example?: string;
  onChange: (value: string) => void;
  media: boolean;
  slotKey: string;
}) {
  const ref = useRef<HTMLInputElement>(null);
  return (
    <div className="grid gap-1">
      <Field label={label}>
        {(ids) => (
          <Input
            {...ids}
            ref={ref}
            type={media ? "url" : "text"}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            placeholder={example}
            data-testid="campaign-template-variable"
            data-variable={slotKey}
          />
        )}
      </Field>
      {media ? null : (
        <VariableInserter
          compact
          onInsert={(token) => {
            const el = ref.current;
            const a = el?.selectionStart ?? value.length;
            const b = el?.selectionEnd ?? value.length;
            onChange(insertAt(value, a, b, token).text);
          }}
        />
      )}
    </div>
  );
}

/** One message: its kind (template or text, by channel) and its content. */
export function ContentEditor({
  channel,
  numberId,
  draft,
  onChange,
  errors,
  testId,
}: {
  channel: CampaignChannel;
  numberId: string | undefined;
  draft: VariantDraft;
  onChange: (draft: VariantDraft) => void;
  errors: { text?: string; template?: string };
  testId?: string;
}) {
  const t = useMessages(campaignsMessages);
  const kinds = contentKinds(channel);
  return (
    <div className="grid gap-4" data-testid={testId}>
      {kinds.length > 1 ? (
        <div role="radiogroup" aria-label={t.message.kind} className="grid w-fit grid-cols-2 rounded-md bg-muted p-0.5 text-sm">
          {kinds.map((kind) => (
            <button
              key={kind}
              type="button"
              role="radio"
              aria-checked={draft.kind === kind}
              onClick={() => onChange({ ...draft, kind })}
              className={cn(
                "rounded-[calc(var(--radius)-4px)] px-3 py-1.5 font-medium text-muted-foreground transition-colors hover:text-foreground",
                draft.kind === kind && "bg-background text-foreground shadow-xs",
              )}
              data-testid={`content-kind-${kind}`}
            >
              {t.message.kinds[kind]}
            </button>
          ))}
        </div>
      ) : null}
      {draft.kind === "template" ? (
        <TemplateFields numberId={numberId} draft={draft} onChange={onChange} error={errors.template} />
      ) : (
        <TextWithVariables value={draft.text} onChange={(text) => onChange({ ...draft, text })} channel={channel} error={errors.text} label={t.message.text} testId="message-text" />
      )}
    </div>
  );
}
