import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CircleAlert, LoaderCircle, MessageCircle, Plus } from "lucide-react";
import { type ChangeEvent, type ComponentProps, type FormEvent, useState } from "react";
import { toast } from "sonner";
import { api, type NewPhoneNumber, type PhoneNumber } from "@/api";
import { keys } from "@/api/keys";
import { problemToForm } from "@/api/problems";
import { useTenantId } from "@/app/session";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { usePhoneNumbers } from "@/features/inbox/hooks";
import { useI18n } from "@/i18n";
import { formatDateTime, formatPhone } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import type { WhatsAppNumber } from "@/api/channels";
import { useMessages } from "@/i18n/feature";
import { CopyField } from "./CopyField";
import { channelsMessages } from "./i18n";
import { SmsSendersSection } from "./SmsSendersSection";
import { TemplatesSection } from "./TemplatesSection";
import { WhatsAppNumbersTable } from "./WhatsAppNumbersTable";

const FIELDS = ["phone_number_id", "waba_id", "access_token", "app_secret", "display_phone_number", "label"] as const;
type NumberField = (typeof FIELDS)[number];
type Values = Record<NumberField, string>;
const EMPTY: Values = { phone_number_id: "", waba_id: "", access_token: "", app_secret: "", display_phone_number: "", label: "" };

function NumberCard({ number, highlight }: { number: PhoneNumber; highlight: boolean }) {
  const { m, lang } = useI18n();
  return (
    <Card className={highlight ? "border-primary" : undefined} data-testid="phone-number" data-phone-number-id={number.phone_number_id}>
      <CardHeader>
        <CardTitle className="flex flex-wrap items-center gap-2">
          <MessageCircle className="size-5 text-success" aria-hidden="true" />
          {formatPhone(number.display_phone_number)}
          {number.label ? <Badge variant="secondary">{number.label}</Badge> : null}
        </CardTitle>
        <CardDescription>
          {m.numbers.phoneNumberId}: <span className="font-mono">{number.phone_number_id}</span> · {m.numbers.wabaId}:{" "}
          <span className="font-mono">{number.waba_id}</span> · {m.numbers.connectedAt(formatDateTime(new Date(number.created_at), lang))}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <CopyField label={m.numbers.webhookUrl} value={number.webhook_url} testId="webhook-url" />
        <CopyField label={m.numbers.verifyToken} value={number.verify_token} testId="verify-token" />
        <p className="text-sm text-muted-foreground">{m.numbers.nextSteps}</p>
      </CardContent>
    </Card>
  );
}

function validate(values: Values, m: ReturnType<typeof useI18n>["m"]): Partial<Record<NumberField, string>> {
  const errors: Partial<Record<NumberField, string>> = {};
  for (const field of ["phone_number_id", "waba_id", "access_token", "app_secret"] as const) {
    if (!values[field].trim()) errors[field] = m.validation.required;
  }
  for (const field of ["phone_number_id", "waba_id"] as const) {
    if (!errors[field] && !/^\d+$/.test(values[field].trim())) errors[field] = m.validation.digits;
  }
  for (const field of ["access_token", "app_secret"] as const) {
    if (!errors[field] && values[field].trim().length < 8) errors[field] = m.validation.minLength(8);
  }
  return errors;
}

function NumberForm({ onDone, onCancel }: { onDone: (number: PhoneNumber) => void; onCancel?: () => void }) {
  const { m } = useI18n();
  const [values, setValues] = useState<Values>(EMPTY);
  const [errors, setErrors] = useState<Partial<Record<NumberField, string>>>({});
  const register = useMutation({
    mutationFn: (body: NewPhoneNumber) => api.registerPhoneNumber(body),
    onSuccess: (number) => {
      setValues(EMPTY);
      setErrors({});
      toast.success(m.numbers.connected);
      onDone(number);
    },
    onError: (error) => {
      const mapped = problemToForm(error, FIELDS);
      setErrors(mapped.fields);
      if (mapped.toast) toast.error(Object.keys(mapped.fields).length ? mapped.toast : describeError(error, m));
    },
  });

  const set = (field: NumberField) => (e: ChangeEvent<HTMLInputElement>) => setValues((v) => ({ ...v, [field]: e.target.value }));

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const local = validate(values, m);
    setErrors(local);
    if (Object.keys(local).length) {
      const first = FIELDS.find((f) => local[f]);
      event.currentTarget.querySelector<HTMLInputElement>(`[name="${first}"]`)?.focus();
      return;
    }
    const optional = (v: string) => (v.trim() ? v.trim() : undefined);
    register.mutate({
      phone_number_id: values.phone_number_id.trim(),
      waba_id: values.waba_id.trim(),
      access_token: values.access_token.trim(),
      app_secret: values.app_secret.trim(),
      display_phone_number: optional(values.display_phone_number),
      label: optional(values.label),
    });
  }

  const input = (field: NumberField, extra: Partial<ComponentProps<"input">> = {}) => (
    <Field label={m.numbers.fields[field]} hint={m.numbers.hints[field]} error={errors[field]}>
      {(ids) => (
        <Input {...ids} name={field} value={values[field]} onChange={set(field)} autoComplete="off" spellCheck={false} {...extra} />
      )}
    </Field>
  );

  return (
    <Card>
      <CardHeader>
        <CardTitle>{m.numbers.addTitle}</CardTitle>
        <CardDescription>{m.numbers.addDescription}</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} noValidate className="grid gap-4 sm:grid-cols-2" aria-label={m.numbers.addTitle}>
          {input("phone_number_id", { inputMode: "numeric", required: true })}
          {input("waba_id", { inputMode: "numeric", required: true })}
          {input("access_token", { type: "password", required: true })}
          {input("app_secret", { type: "password", required: true })}
          {input("display_phone_number", { type: "tel", inputMode: "tel" })}
          {input("label", { maxLength: 120 })}
          <div className="flex flex-wrap gap-2 sm:col-span-2">
            <Button type="submit" disabled={register.isPending}>
              {register.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
              {register.isPending ? m.numbers.submitting : m.numbers.submit}
            </Button>
            {onCancel ? (
              <Button type="button" variant="ghost" onClick={onCancel}>
                {m.numbers.cancel}
              </Button>
            ) : null}
          </div>
        </form>
      </CardContent>
    </Card>
  );
}

export default function ChannelsPage() {
  const { m } = useI18n();
  const t = useMessages(channelsMessages);
  const tenantId = useTenantId();
  const client = useQueryClient();
  const numbers = usePhoneNumbers();
  const [adding, setAdding] = useState(false);
  const [latest, setLatest] = useState<string | null>(null);
  const list = (numbers.data ?? []) as WhatsAppNumber[];

  const onDone = (number: PhoneNumber) => {
    client.setQueryData<PhoneNumber[]>(keys.phoneNumbers(tenantId), (prev) => [number, ...(prev ?? []).filter((n) => n.id !== number.id)]);
    void client.invalidateQueries({ queryKey: keys.phoneNumbers(tenantId) });
    setLatest(number.id);
    setAdding(false);
  };

  return (
    <div className="grid gap-10">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{m.numbers.title}</h1>
        <p className="mt-1 text-sm text-muted-foreground">{m.numbers.description}</p>
      </div>
      <div className="grid gap-6" data-testid="whatsapp-section">
      <p className="-mb-2 text-xs font-semibold uppercase tracking-wide text-muted-foreground">{t.sections.whatsapp}</p>

      {numbers.isPending ? (
        <div className="grid gap-3" role="status" aria-label={m.app.loading}>
          <Skeleton className="h-40 w-full" />
        </div>
      ) : numbers.isError ? (
        <div role="alert" className="flex items-center gap-3 rounded-md border border-destructive/40 p-4 text-sm">
          <CircleAlert className="size-5 text-destructive" aria-hidden="true" />
          <span className="flex-1">
            {m.numbers.loadError} {describeError(numbers.error, m)}
          </span>
          <Button variant="outline" size="sm" onClick={() => void numbers.refetch()}>
            {m.app.retry}
          </Button>
        </div>
      ) : (
        <>
          {list.length === 0 ? <NumberForm onDone={onDone} /> : null}
          {list.length > 0 ? <WhatsAppNumbersTable numbers={list} /> : null}
          {list.length > 0 ? (
            <section className="grid gap-4" aria-labelledby="numbers-title">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <h2 id="numbers-title" className="text-lg font-semibold">
                  {m.numbers.listTitle}
                </h2>
                {!adding ? (
                  <Button variant="outline" onClick={() => setAdding(true)}>
                    <Plus aria-hidden="true" />
                    {m.numbers.addAnother}
                  </Button>
                ) : null}
              </div>
              {adding ? <NumberForm onDone={onDone} onCancel={() => setAdding(false)} /> : null}
              {list.map((number) => (
                <NumberCard key={number.id} number={number} highlight={number.id === latest} />
              ))}
            </section>
          ) : (
            <p className="text-sm text-muted-foreground">{m.numbers.none}</p>
          )}
        </>
      )}
      {list.length > 0 ? <TemplatesSection numbers={list} /> : null}
      </div>
      <SmsSendersSection />
    </div>
  );
}