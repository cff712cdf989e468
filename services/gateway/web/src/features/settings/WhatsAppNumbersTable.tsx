import { useMutation, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle, RefreshCw } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { toast } from "sonner";
import { channelsApi, type WhatsAppNumber } from "@/api/channels";
import { keys } from "@/api/keys";
import { problemToForm } from "@/api/problems";
import { useTenantId } from "@/app/session";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatNumber, formatPhone } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { cn } from "@/lib/utils";
import { channelsMessages } from "./i18n";

const QUALITY_CLASS: Record<string, string> = {
  GREEN: "border-success/40 bg-success/15 text-success",
  YELLOW: "border-warning/40 bg-warning/15 text-warning",
  RED: "border-destructive/40 bg-destructive/15 text-destructive",
};

/** Meta's quality rating as a coloured badge (green / yellow / red), with words for screen readers and colour-blind eyes. */
export function QualityBadge({ quality }: { quality: string | null | undefined }) {
  const t = useMessages(channelsMessages);
  const q = (quality ?? "UNKNOWN").toUpperCase();
  return (
    <Badge variant="outline" className={cn("gap-1.5", QUALITY_CLASS[q] ?? "text-muted-foreground")} data-testid="quality-badge" data-quality={q}>
      <span aria-hidden="true" className="size-2 rounded-full bg-current" />
      {t.numbers.qualities[q] ?? q}
    </Badge>
  );
}

function useReplaceNumber() {
  const client = useQueryClient();
  const tenantId = useTenantId();
  return (updated: WhatsAppNumber) =>
    client.setQueryData<WhatsAppNumber[]>(keys.phoneNumbers(tenantId), (list) => list?.map((n) => (n.id === updated.id ? { ...n, ...updated } : n)));
}

function MpsEditor({ number }: { number: WhatsAppNumber }) {
  const { m, lang } = useI18n();
  const t = useMessages(channelsMessages);
  const replace = useReplaceNumber();
  const current = number.messages_per_second ?? 80;
  const [value, setValue] = useState(String(current));
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();
  const label = t.numbers.mpsLabel(formatPhone(number.display_phone_number));
  const save = useMutation({
    mutationFn: (mps: number) => channelsApi.updateNumber(number.id, { messages_per_second: mps }),
    onSuccess: (updated, mps) => {
      replace({ ...number, ...updated, messages_per_second: updated?.messages_per_second ?? mps });
      setError(null);
      toast.success(t.numbers.saved(formatNumber(updated?.messages_per_second ?? mps, lang)));
    },
    onError: (e) => {
      const mapped = problemToForm(e, ["messages_per_second"] as const);
      setError(mapped.fields.messages_per_second ?? describeError(e, m));
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    const mps = Number(value);
    if (!Number.isInteger(mps) || mps < 1 || mps > 1000) {
      setError(t.numbers.mpsRange);
      return;
    }
    if (mps === current) return;
    save.mutate(mps);
  }
  return (
    <form onSubmit={submit} noValidate className="grid gap-1">
      <div className="flex items-center gap-1.5">
        <Input
          type="number"
          inputMode="numeric"
          min={1}
          max={1000}
          step={1}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-label={label}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          className="h-8 w-24"
          data-testid="mps-input"
        />
        <Button type="submit" size="sm" variant="outline" disabled={save.isPending || value === String(current)} data-testid="mps-save">
          {save.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
          {t.numbers.save}
        </Button>
      </div>
      {error ? (
        <p id={errorId} className="text-xs font-medium text-destructive" data-field-error>
          {error}
        </p>
      ) : null}
    </form>
  );
}

function RefreshButton({ number }: { number: WhatsAppNumber }) {
  const { m } = useI18n();
  const t = useMessages(channelsMessages);
  const replace = useReplaceNumber();
  const refresh = useMutation({
    mutationFn: () => channelsApi.refreshNumber(number.id),
    onSuccess: (updated) => {
      replace({ ...number, ...updated });
      toast.success(t.numbers.refreshed);
    },
    onError: (e) => toast.error(describeError(e, m)),
  });
  return (
    <Button
      variant="ghost"
      size="icon-sm"
      onClick={() => refresh.mutate()}
      disabled={refresh.isPending}
      aria-label={`${t.numbers.refresh}: ${formatPhone(number.display_phone_number)}`}
      title={t.numbers.refresh}
      data-testid="number-refresh"
    >
      <RefreshCw className={refresh.isPending ? "animate-spin" : undefined} aria-hidden="true" />
    </Button>
  );
}

/** Every WhatsApp number with Meta's tier and quality and the pace we send at (editable). */
export function WhatsAppNumbersTable({ numbers }: { numbers: WhatsAppNumber[] }) {
  const t = useMessages(channelsMessages);
  return (
    <section className="grid gap-3" aria-labelledby="wa-table-title">
      <div>
        <h2 id="wa-table-title" className="text-lg font-semibold">
          {t.numbers.tableTitle}
        </h2>
        <p className="text-sm text-muted-foreground">{t.numbers.tableDescription}</p>
      </div>
      <div className="overflow-x-auto rounded-xl border">
        <table className="w-full min-w-[40rem] text-sm" data-testid="whatsapp-numbers-table">
          <thead className="bg-muted/60 text-left text-xs text-muted-foreground">
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">{t.numbers.number}</th>
              <th scope="col" className="px-4 py-2 font-medium">{t.numbers.tier}</th>
              <th scope="col" className="px-4 py-2 font-medium">{t.numbers.quality}</th>
              <th scope="col" className="px-4 py-2 font-medium">{t.numbers.mps}</th>
              <th scope="col" className="px-4 py-2 font-medium"><span className="sr-only">{t.numbers.actions}</span></th>
            </tr>
          </thead>
          <tbody>
            {numbers.map((number) => (
              <tr key={number.id} className="border-t align-top" data-testid="number-row" data-number-id={number.id} data-phone-number-id={number.phone_number_id}>
                <th scope="row" className="px-4 py-3 text-left font-medium">
                  <span className="block">{formatPhone(number.display_phone_number)}</span>
                  {number.label ? <span className="text-xs font-normal text-muted-foreground">{number.label}</span> : null}
                </th>
                <td className="px-4 py-3" data-testid="number-tier" data-tier={number.messaging_limit_tier ?? ""}>
                  {number.messaging_limit_tier ? (t.numbers.tiers[number.messaging_limit_tier] ?? number.messaging_limit_tier) : t.numbers.unknown}
                  {number.throughput_level ? (
                    <span className="block text-xs text-muted-foreground">
                      {t.numbers.throughputLabel}: {t.numbers.throughput[number.throughput_level] ?? number.throughput_level}
                    </span>
                  ) : null}
                </td>
                <td className="px-4 py-3">
                  <QualityBadge quality={number.quality_rating} />
                </td>
                <td className="px-4 py-2">
                  <MpsEditor number={number} />
                </td>
                <td className="px-2 py-2 text-right">
                  <RefreshButton number={number} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-muted-foreground">{t.numbers.mpsHint}</p>
    </section>
  );
}
