import { useMutation, useQuery } from "@tanstack/react-query";
import { Eye, FlaskConical, LoaderCircle, Plus, Send, Trash2, TriangleAlert } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { campaignsApi, type RenderedVariant } from "@/api/campaigns";
import { contactsApi } from "@/api/contacts";
import type { TemplateContent } from "@/api/inbox";
import { useTenantId } from "@/app/session";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatNumber, formatPhone } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { cn } from "@/lib/utils";
import { ContentEditor, TemplateBubble } from "./ContentEditor";
import { formatMoney } from "./format";
import { useDebounced, useEstimate, usePreview } from "./hooks";
import { campaignsMessages } from "./i18n";
import type { StepProps } from "./stepProps";
import { addVariant, MAX_VARIANTS, removeVariant, toAudience, toE164, toMessage, valuesFromContent, type WizardState, withAbTest } from "./wizard";

function SmsEstimate({ state }: { state: WizardState }) {
  const { lang } = useI18n();
  const t = useMessages(campaignsMessages);
  const message = toMessage(state);
  const enabled = message.variants.some((v) => v.content.kind === "text" && (v.content as { body: string }).body.trim() !== "");
  const estimate = useEstimate({ channel: state.channel, message, audience: toAudience(state) }, enabled);
  if (!enabled) return null;
  const e = estimate.data;
  return (
    <p className="flex flex-wrap items-center gap-2 rounded-md border px-3 py-2 text-sm" aria-live="polite" data-testid="sms-estimate">
      <span className="font-medium">{t.message.sms.estimate}:</span>
      {estimate.isPending ? (
        <span className="text-muted-foreground">{t.message.sms.estimating}</span>
      ) : e && e.estimated_cost !== null && e.estimated_cost !== undefined ? (
        <span className={cn("tabular-nums", estimate.isPlaceholderData && "opacity-60")}>
          {t.message.sms.estimateValue(formatNumber(e.total_segments ?? 0, lang), formatMoney(e.estimated_cost, e.currency ?? "USD", lang))}
        </span>
      ) : (
        <span className="text-muted-foreground">—</span>
      )}
    </p>
  );
}

function PreviewContent({ item, state }: { item: RenderedVariant; state: WizardState }) {
  const content = item.content;
  if (!content) return null;
  if (content.kind === "template") {
    const tc = content as TemplateContent;
    const template = state.variants.find((v) => v.template?.name === tc.name)?.template;
    if (template) {
      return (
        <div className="flex justify-end">
          <TemplateBubble template={template} values={valuesFromContent(template, tc)} />
        </div>
      );
    }
    const texts = tc.components.flatMap((c) => (c.parameters ?? []).map((p) => p.text ?? p.media?.link ?? ""));
    return (
      <p className="ml-auto w-fit max-w-[95%] rounded-lg bg-bubble-out px-3 py-2 text-sm">
        <span className="font-mono">{tc.name}</span>: {texts.join(" · ")}
      </p>
    );
  }
  const body = (content as { body?: string; caption?: string | null }).body ?? (content as { caption?: string | null }).caption ?? "";
  return <p className="ml-auto w-fit max-w-[95%] whitespace-pre-wrap break-words rounded-lg rounded-tr-sm bg-bubble-out px-3 py-2 text-sm shadow-xs">{body}</p>;
}

/** The server's rendering for real contacts: the audience's first ones, or a contact searched by name or number. */
function PreviewPanel({ state }: { state: WizardState }) {
  const { m } = useI18n();
  const t = useMessages(campaignsMessages);
  const tenantId = useTenantId();
  const [q, setQ] = useState("");
  const [contact, setContact] = useState<{ id: string; label: string } | null>(null);
  const needle = useDebounced(q.trim(), 300);
  const search = useQuery({
    queryKey: ["tenant", tenantId, "contacts", { q: needle, tag: "", channel: "", opted_out: "" }, "preview-search"],
    queryFn: ({ signal }) => contactsApi.list({ q: needle, limit: 5 }, signal),
    enabled: needle.length >= 2 && !contact,
  });
  const message = toMessage(state);
  const ready = message.variants.length > 0;
  const preview = usePreview(
    { channel: state.channel, message, audience: toAudience(state), ...(contact ? { contact_id: contact.id } : {}) },
    ready,
  );
  return (
    <section aria-label={t.message.preview} className="grid gap-3 rounded-xl border p-4" data-testid="campaign-preview">
      <h3 className="flex items-center gap-2 text-sm font-semibold">
        <Eye className="size-4" aria-hidden="true" />
        {t.message.preview}
      </h3>
      <div className="grid gap-1.5">
        {contact ? (
          <p className="flex items-center gap-2 text-sm">
            <span className="text-muted-foreground">{t.message.previewFor}:</span>
            <span className="font-medium">{contact.label}</span>
            <Button type="button" variant="link" size="sm" className="h-auto px-0" onClick={() => setContact(null)}>
              {t.message.previewFirst}
            </Button>
          </p>
        ) : (
          <>
            <Input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t.message.previewContact} aria-label={t.message.previewContact} />
            {search.data?.items.length ? (
              <ul className="grid gap-1 rounded-md border p-1">
                {search.data.items.map((c) => (
                  <li key={c.id}>
                    <button
                      type="button"
                      className="w-full rounded-sm px-2 py-1 text-left text-sm hover:bg-accent"
                      onClick={() => {
                        setContact({ id: c.id, label: c.name || formatPhone(c.phone) });
                        setQ("");
                      }}
                    >
                      {c.name || formatPhone(c.phone)} <span className="text-muted-foreground">{c.name ? formatPhone(c.phone) : ""}</span>
                    </button>
                  </li>
                ))}
              </ul>
            ) : null}
          </>
        )}
      </div>
      {!ready ? (
        <p className="text-sm text-muted-foreground">{t.message.previewEmpty}</p>
      ) : preview.isPending ? (
        <Skeleton className="h-20" />
      ) : preview.isError && !preview.data ? (
        <p role="alert" className="text-sm text-muted-foreground">
          {t.message.previewError} {describeError(preview.error, m)}
        </p>
      ) : preview.data && preview.data.items.length === 0 ? (
        <p className="text-sm text-muted-foreground">{t.message.previewNone}</p>
      ) : (
        <ul className={cn("grid max-h-[28rem] gap-3 overflow-y-auto", preview.isPlaceholderData && "opacity-60")}>
          {(preview.data?.items ?? []).map((item, i) => (
            <li key={item.contact.contact_id ?? `sample-${i}`} className="grid gap-2 rounded-lg bg-thread p-3" data-testid="preview-item">
              <span className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
                <span className="font-medium text-foreground">{item.contact.name || formatPhone(item.contact.phone) || "—"}</span>
                {item.contact.name && item.contact.phone ? <span>{formatPhone(item.contact.phone)}</span> : null}
                {item.contact.sample ? <span className="rounded-full border px-1.5">{t.message.previewSample}</span> : null}
                {item.contact.refusal ? <span className="font-medium text-destructive">{t.live.skipReasons[item.contact.refusal] ?? item.contact.refusal}</span> : null}
              </span>
              {item.variants.map((v) => (
                <div key={v.name} className="grid gap-1">
                  {state.abTest ? <span className="w-fit rounded-full border px-1.5 text-xs text-muted-foreground">{t.message.variant(v.name)}</span> : null}
                  <PreviewContent item={v} state={state} />
                  {v.sms ? (
                    <span className="text-right text-xs text-muted-foreground">
                      {t.message.sms.counter(String(v.sms.characters), v.sms.segments)} · {v.sms.encoding}
                    </span>
                  ) : null}
                  {v.missing.length ? (
                    <p className="flex items-center gap-1.5 text-xs font-medium text-destructive">
                      <TriangleAlert className="size-3.5" aria-hidden="true" />
                      {t.message.previewMissing(v.missing.join(", "))}
                    </p>
                  ) : v.error ? (
                    <p className="text-xs font-medium text-destructive">{v.error}</p>
                  ) : null}
                </div>
              ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** A test to one of your numbers, through the bulk lane (the draft is saved first: a test needs its id). */
function TestSend({ ensureDraft }: { ensureDraft: () => Promise<string> }) {
  const { m } = useI18n();
  const t = useMessages(campaignsMessages);
  const [to, setTo] = useState("");
  const [invalid, setInvalid] = useState(false);
  const send = useMutation({
    mutationFn: async (number: string) => campaignsApi.testSend(await ensureDraft(), { to: number }),
    onSuccess: (_r, number) => toast.success(t.message.testSent(formatPhone(number))),
    onError: (error) => toast.error(describeError(error, m)),
  });
  return (
    <section aria-label={t.message.test} className="grid gap-3 rounded-xl border p-4">
      <h3 className="flex items-center gap-2 text-sm font-semibold">
        <FlaskConical className="size-4" aria-hidden="true" />
        {t.message.test}
      </h3>
      <form
        className="flex flex-wrap items-start gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          const number = toE164(to);
          setInvalid(!number);
          if (number) send.mutate(number);
        }}
      >
        <Field label={<span className="sr-only">{t.message.testTo}</span>} hint={t.message.testHint} error={invalid ? t.message.testInvalid : undefined} className="min-w-48 flex-1">
          {(ids) => <Input {...ids} type="tel" inputMode="tel" value={to} onChange={(e) => setTo(e.target.value)} placeholder={t.message.testTo} data-testid="test-send-to" />}
        </Field>
        <Button type="submit" variant="outline" disabled={send.isPending} data-testid="test-send">
          {send.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : <Send aria-hidden="true" />}
          {send.isPending ? t.message.testSending : t.message.testSend}
        </Button>
      </form>
    </section>
  );
}

/** Step 3: the message (one or more versions), its preview per recipient and a test send. */
export function StepMessage({ state, set, error, ensureDraft }: StepProps & { ensureDraft: () => Promise<string> }) {
  const t = useMessages(campaignsMessages);
  const [active, setActive] = useState(0);
  const index = Math.min(active, state.variants.length - 1);
  const variant = state.variants[index]!;
  const total = state.variants.reduce((sum, v) => sum + (Number.isFinite(v.weight) ? v.weight : 0), 0);
  const numberId = state.channel === "whatsapp_meta" ? state.senderIds[0] : undefined;

  return (
    <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_22rem]">
      <div className="grid content-start gap-5">
        <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg border p-3">
          <label className="flex items-center gap-3 text-sm">
            <Switch checked={state.abTest} onCheckedChange={(on) => set((s) => withAbTest(s, on))} aria-describedby="ab-hint" data-testid="ab-toggle" />
            <span className="grid">
              <span className="font-medium">{t.message.ab}</span>
              <span id="ab-hint" className="text-xs text-muted-foreground">
                {t.message.abHint}
              </span>
            </span>
          </label>
        </div>

        {state.abTest ? (
          <div className="grid gap-3">
            <div role="tablist" aria-label={t.message.ab} className="flex flex-wrap items-center gap-1 border-b">
              {state.variants.map((v, i) => (
                <button
                  key={i}
                  type="button"
                  role="tab"
                  aria-selected={i === index}
                  onClick={() => setActive(i)}
                  className={cn(
                    "-mb-px border-b-2 px-3 py-2 text-sm font-medium",
                    i === index ? "border-primary text-foreground" : "border-transparent text-muted-foreground hover:text-foreground",
                    (error(`variants.${i}.text`) || error(`variants.${i}.template`)) && "text-destructive",
                  )}
                  data-testid="variant-tab"
                >
                  {t.message.variant(v.name || "?")} · {v.weight}%
                </button>
              ))}
              {state.variants.length < MAX_VARIANTS ? (
                <Button
                  type="button"
                  variant="ghost"
                  size="sm"
                  onClick={() => {
                    set(addVariant);
                    setActive(state.variants.length);
                  }}
                >
                  <Plus aria-hidden="true" />
                  {t.message.addVariant}
                </Button>
              ) : null}
            </div>
            <fieldset className="grid gap-2">
              <legend className="mb-1 text-sm font-medium">{t.message.split}</legend>
              <div className="flex flex-wrap items-end gap-3">
                {state.variants.map((v, i) => (
                  <label key={i} className="grid gap-1 text-xs">
                    <span className="text-muted-foreground">{t.message.splitOf(v.name)}</span>
                    <Input
                      type="number"
                      min={1}
                      max={99}
                      value={Number.isFinite(v.weight) ? v.weight : ""}
                      onChange={(e) => {
                        const weight = e.target.valueAsNumber;
                        set((s) => ({ ...s, variants: s.variants.map((x, j) => (j === i ? { ...x, weight } : x)) }));
                      }}
                      className="w-20"
                      aria-invalid={error("weights") ? true : undefined}
                      data-testid="variant-weight"
                    />
                  </label>
                ))}
                <span className={cn("pb-2 text-sm tabular-nums", total !== 100 ? "font-medium text-destructive" : "text-muted-foreground")}>{t.message.splitTotal(total)}</span>
              </div>
              {error("weights") ? (
                <p className="text-xs font-medium text-destructive" data-field-error>
                  {error("weights")}
                </p>
              ) : null}
            </fieldset>
            <div className="flex flex-wrap items-end gap-2">
              <Field label={t.message.variantName} error={error(`variants.${index}.name`)} className="w-40">
                {(ids) => (
                  <Input
                    {...ids}
                    value={variant.name}
                    maxLength={40}
                    onChange={(e) => {
                      const name = e.target.value;
                      set((s) => ({ ...s, variants: s.variants.map((x, j) => (j === index ? { ...x, name } : x)) }));
                    }}
                  />
                )}
              </Field>
              <Button
                type="button"
                variant="ghost"
                size="sm"
                onClick={() => {
                  set((s) => removeVariant(s, index));
                  setActive(0);
                }}
              >
                <Trash2 aria-hidden="true" />
                {t.message.removeVariant(variant.name)}
              </Button>
            </div>
          </div>
        ) : null}

        <ContentEditor
          key={index}
          channel={state.channel}
          numberId={numberId}
          draft={variant}
          onChange={(draft) => set((s) => ({ ...s, variants: s.variants.map((x, j) => (j === index ? draft : x)) }))}
          errors={{ text: error(`variants.${index}.text`), template: error(`variants.${index}.template`) }}
          testId="content-editor"
        />
        {state.channel === "sms" ? <SmsEstimate state={state} /> : null}
      </div>
      <div className="grid content-start gap-4">
        <PreviewPanel state={state} />
        <TestSend ensureDraft={ensureDraft} />
      </div>
    </div>
  );
}
