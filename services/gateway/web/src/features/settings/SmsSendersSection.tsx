import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CircleAlert, LoaderCircle, MessageSquareText, Plus, Trash2 } from "lucide-react";
import { type ChangeEvent, type ComponentProps, type FormEvent, useState } from "react";
import { toast } from "sonner";
import { channelsApi, type SmsSender, type SmsSenderInput, type SmsSenderKind } from "@/api/channels";
import { keys } from "@/api/keys";
import { problemToForm } from "@/api/problems";
import { useTenantId } from "@/app/session";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { useSmsSenders } from "@/features/inbox/hooks";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatNumber, formatPhone } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { CopyField } from "./CopyField";
import { channelsMessages } from "./i18n";

const FIELDS = ["account_sid", "auth_token", "phone_number", "kind", "messages_per_second", "label"] as const;
type SenderField = (typeof FIELDS)[number];
type Values = Record<SenderField, string>;
const EMPTY: Values = { account_sid: "", auth_token: "", phone_number: "", kind: "long_code", messages_per_second: "", label: "" };
const KINDS: SmsSenderKind[] = ["long_code", "toll_free", "short_code"];

/** The two URLs Twilio needs, whichever names the server gives them. */
export function webhookUrls(sender: SmsSender): { inbound: string; status: string } {
  return {
    inbound: sender.inbound_webhook_url ?? "",
    status: sender.status_callback_url ?? "",
  };
}

/** Checks made before sending (the server checks again, with Twilio). */
export function validateSender(values: Values): Partial<Record<SenderField, "required" | "accountSid" | "e164" | "mps">> {
  const errors: Partial<Record<SenderField, "required" | "accountSid" | "e164" | "mps">> = {};
  for (const field of ["account_sid", "auth_token", "phone_number"] as const) if (!values[field].trim()) errors[field] = "required";
  if (!errors.account_sid && !/^AC[0-9a-fA-F]{32}$/.test(values.account_sid.trim())) errors.account_sid = "accountSid";
  if (!errors.phone_number && !/^\+[1-9]\d{6,14}$/.test(values.phone_number.replace(/[\s()-]/g, ""))) errors.phone_number = "e164";
  const mps = values.messages_per_second.trim();
  if (mps && (!/^\d+$/.test(mps) || Number(mps) < 1 || Number(mps) > 1000)) errors.messages_per_second = "mps";
  return errors;
}

function SenderForm({ onDone, onCancel }: { onDone: (sender: SmsSender) => void; onCancel?: () => void }) {
  const { m } = useI18n();
  const t = useMessages(channelsMessages);
  const [values, setValues] = useState<Values>(EMPTY);
  const [errors, setErrors] = useState<Partial<Record<SenderField, string>>>({});
  const register = useMutation({
    mutationFn: (body: SmsSenderInput) => channelsApi.registerSmsSender(body),
    onSuccess: (sender) => {
      setValues(EMPTY);
      setErrors({});
      toast.success(t.sms.connected);
      onDone(sender);
    },
    onError: (error) => {
      const mapped = problemToForm(error, FIELDS);
      setErrors(mapped.fields);
      if (mapped.toast) toast.error(Object.keys(mapped.fields).length ? mapped.toast : describeError(error, m));
    },
  });
  const set = (field: SenderField) => (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setValues((v) => ({ ...v, [field]: e.target.value }));
  const words = { required: m.validation.required, accountSid: t.sms.accountSid, e164: t.sms.e164, mps: m.validation.digits };

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const local = validateSender(values);
    const shown = Object.fromEntries(Object.entries(local).map(([k, v]) => [k, words[v]])) as Partial<Record<SenderField, string>>;
    setErrors(shown);
    if (Object.keys(local).length) {
      event.currentTarget.querySelector<HTMLElement>(`[name="${FIELDS.find((f) => local[f])}"]`)?.focus();
      return;
    }
    const mps = values.messages_per_second.trim();
    register.mutate({
      account_sid: values.account_sid.trim(),
      auth_token: values.auth_token.trim(),
      phone_number: values.phone_number.replace(/[\s()-]/g, ""),
      kind: values.kind as SmsSenderKind,
      ...(mps ? { messages_per_second: Number(mps) } : {}),
      ...(values.label.trim() ? { label: values.label.trim() } : {}),
    });
  }

  const input = (field: SenderField, extra: Partial<ComponentProps<"input">> = {}) => (
    <Field label={t.sms.fields[field]} hint={t.sms.hints[field]} error={errors[field]}>
      {(ids) => <Input {...ids} name={field} value={values[field]} onChange={set(field)} autoComplete="off" spellCheck={false} {...extra} />}
    </Field>
  );

  return (
    <Card>
      <CardHeader>
        <CardTitle>{t.sms.addTitle}</CardTitle>
        <CardDescription>{t.sms.addDescription}</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} noValidate className="grid gap-4 sm:grid-cols-2" aria-label={t.sms.addTitle}>
          {input("account_sid", { required: true, maxLength: 34 })}
          {input("auth_token", { type: "password", required: true })}
          {input("phone_number", { type: "tel", inputMode: "tel", required: true })}
          <Field label={t.sms.fields.kind} hint={t.sms.hints.kind} error={errors.kind}>
            {(ids) => (
              <Select {...ids} name="kind" value={values.kind} onChange={set("kind")}>
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t.sms.kinds[k]}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          {input("messages_per_second", { type: "number", inputMode: "numeric", min: 1, max: 1000 })}
          {input("label", { maxLength: 120 })}
          <div className="flex flex-wrap gap-2 sm:col-span-2">
            <Button type="submit" disabled={register.isPending}>
              {register.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
              {register.isPending ? t.sms.submitting : t.sms.submit}
            </Button>
            {onCancel ? (
              <Button type="button" variant="ghost" onClick={onCancel}>
                {t.sms.cancel}
              </Button>
            ) : null}
          </div>
        </form>
      </CardContent>
    </Card>
  );
}

function RemoveSender({ sender }: { sender: SmsSender }) {
  const { m } = useI18n();
  const t = useMessages(channelsMessages);
  const tenantId = useTenantId();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const remove = useMutation({
    mutationFn: () => channelsApi.removeSmsSender(sender.id),
    onSuccess: () => {
      client.setQueryData<SmsSender[]>(keys.smsSenders(tenantId), (list) => list?.filter((s) => s.id !== sender.id));
      toast.success(t.sms.removed);
      setOpen(false);
    },
    onError: (e) => toast.error(describeError(e, m)),
  });
  const number = formatPhone(sender.phone_number);
  return (
    <>
      <Button variant="ghost" size="icon-sm" onClick={() => setOpen(true)} aria-label={t.sms.remove(number)} title={t.sms.remove(number)}>
        <Trash2 aria-hidden="true" />
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent closeLabel={m.app.close} role="alertdialog">
          <DialogHeader>
            <DialogTitle>{t.sms.removeTitle}</DialogTitle>
            <DialogDescription>{t.sms.removeBody}</DialogDescription>
          </DialogHeader>
          <DialogFooter>
            <Button variant="ghost" onClick={() => setOpen(false)}>
              {t.sms.cancel}
            </Button>
            <Button variant="destructive" onClick={() => remove.mutate()} disabled={remove.isPending}>
              {remove.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
              {t.sms.remove(number)}
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </>
  );
}

function SenderCard({ sender, highlight }: { sender: SmsSender; highlight: boolean }) {
  const { lang } = useI18n();
  const t = useMessages(channelsMessages);
  const urls = webhookUrls(sender);
  return (
    <Card className={highlight ? "border-primary" : undefined} data-testid="sms-sender" data-phone-number={sender.phone_number}>
      <CardHeader>
        <CardTitle className="flex flex-wrap items-center gap-2">
          <MessageSquareText className="size-5 text-muted-foreground" aria-hidden="true" />
          {formatPhone(sender.phone_number)}
          {sender.label ? <Badge variant="secondary">{sender.label}</Badge> : null}
          <Badge variant="outline">{t.sms.kinds[sender.kind] ?? sender.kind}</Badge>
          <span className="ml-auto">
            <RemoveSender sender={sender} />
          </span>
        </CardTitle>
        <CardDescription>
          {t.sms.account}: <span className="font-mono">{sender.account_sid}</span>
          {sender.messages_per_second ? ` · ${formatNumber(sender.messages_per_second, lang)} ${t.sms.mps}` : ""}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {urls.inbound ? <CopyField label={t.sms.inboundUrl} value={urls.inbound} testId="sms-inbound-url" /> : null}
        {urls.status ? <CopyField label={t.sms.statusUrl} value={urls.status} testId="sms-status-url" /> : null}
        <p className="text-sm text-muted-foreground">{t.sms.webhookHint}</p>
      </CardContent>
    </Card>
  );
}

/** Twilio senders: each with the webhook URLs to paste at Twilio; the form to connect one more. */
export function SmsSendersSection() {
  const { m } = useI18n();
  const t = useMessages(channelsMessages);
  const tenantId = useTenantId();
  const client = useQueryClient();
  const senders = useSmsSenders();
  const [adding, setAdding] = useState(false);
  const [latest, setLatest] = useState<string | null>(null);
  const list = senders.data ?? [];
  const onDone = (sender: SmsSender) => {
    client.setQueryData<SmsSender[]>(keys.smsSenders(tenantId), (prev) => [sender, ...(prev ?? []).filter((s) => s.id !== sender.id)]);
    void client.invalidateQueries({ queryKey: keys.smsSenders(tenantId) });
    setLatest(sender.id);
    setAdding(false);
  };
  return (
    <section className="grid gap-4" aria-labelledby="sms-title" data-testid="sms-section">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div>
          <h2 id="sms-title" className="text-lg font-semibold">
            {t.sms.title}
          </h2>
          <p className="text-sm text-muted-foreground">{t.sms.description}</p>
        </div>
        {list.length > 0 && !adding ? (
          <Button variant="outline" onClick={() => setAdding(true)}>
            <Plus aria-hidden="true" />
            {t.sms.addAnother}
          </Button>
        ) : null}
      </div>
      {senders.isPending ? (
        <Skeleton className="h-32" />
      ) : senders.isError ? (
        <div role="alert" className="flex items-center gap-3 rounded-md border border-destructive/40 p-4 text-sm">
          <CircleAlert className="size-5 text-destructive" aria-hidden="true" />
          <span className="flex-1">
            {t.sms.loadError} {describeError(senders.error, m)}
          </span>
          <Button variant="outline" size="sm" onClick={() => void senders.refetch()}>
            {m.app.retry}
          </Button>
        </div>
      ) : (
        <>
          {list.length === 0 || adding ? <SenderForm onDone={onDone} onCancel={list.length ? () => setAdding(false) : undefined} /> : null}
          {list.map((sender) => (
            <SenderCard key={sender.id} sender={sender} highlight={sender.id === latest} />
          ))}
        </>
      )}
    </section>
  );
}
