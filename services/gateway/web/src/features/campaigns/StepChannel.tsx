import { MessageCircle, MessageSquareText, Smartphone } from "lucide-react";
import { Link } from "react-router";
import type { CampaignChannel } from "@/api/campaigns";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { usePhoneNumbers, useSmsSenders } from "@/features/inbox/hooks";
import { useMessages } from "@/i18n/feature";
import { formatPhone } from "@/i18n/format";
import { cn } from "@/lib/utils";
import { campaignsMessages } from "./i18n";
import type { StepProps } from "./stepProps";
import { withChannel } from "./wizard";

const CHANNELS: { value: CampaignChannel; icon: typeof MessageCircle }[] = [
  { value: "whatsapp_meta", icon: MessageCircle },
  { value: "sms", icon: MessageSquareText },
  { value: "whatsapp_qr", icon: Smartphone },
];

export interface Sender {
  id: string;
  phone: string;
  label: string | null;
  mps: number;
}

/** The tenant's senders on a channel: WhatsApp numbers or Twilio SMS senders (none listed for WhatsApp Web). */
export function useSenders(channel: CampaignChannel): { data: Sender[]; isPending: boolean } {
  const numbers = usePhoneNumbers();
  const sms = useSmsSenders(channel === "sms");
  if (channel === "whatsapp_meta") {
    return {
      isPending: numbers.isPending,
      data: (numbers.data ?? []).map((n) => ({ id: n.id, phone: n.display_phone_number, label: n.label, mps: n.messages_per_second })),
    };
  }
  if (channel === "sms") {
    return { isPending: sms.isPending, data: (sms.data ?? []).map((s) => ({ id: s.id, phone: s.phone_number, label: s.label, mps: s.messages_per_second })) };
  }
  return { isPending: false, data: [] };
}

/** Step 1: the campaign's name, its channel and the numbers it sends from. */
export function StepChannel({ state, set, error }: StepProps) {
  const t = useMessages(campaignsMessages);
  const senders = useSenders(state.channel);
  const toggle = (id: string, on: boolean) =>
    set((s) => ({ ...s, senderIds: on ? [...new Set([...s.senderIds, id])] : s.senderIds.filter((x) => x !== id) }));

  return (
    <div className="grid gap-6">
      <Field label={t.channelStep.name} hint={t.channelStep.nameHint} error={error("name")}>
        {(ids) => (
          <Input {...ids} name="name" value={state.name} onChange={(e) => set((s) => ({ ...s, name: e.target.value }))} maxLength={140} autoFocus data-testid="campaign-name" />
        )}
      </Field>
      <fieldset className="grid gap-2">
        <legend className="mb-2 text-sm font-medium">{t.channelStep.channel}</legend>
        <div className="grid gap-2 sm:grid-cols-3">
          {CHANNELS.map(({ value, icon: Icon }) => (
            <label
              key={value}
              className={cn(
                "flex cursor-pointer items-start gap-3 rounded-lg border p-3 text-sm transition-colors hover:bg-accent/50 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring",
                state.channel === value && "border-primary bg-accent/40",
              )}
            >
              <input
                type="radio"
                name="channel"
                value={value}
                checked={state.channel === value}
                onChange={() => set((s) => withChannel(s, value))}
                className="sr-only"
                data-testid={`channel-${value}`}
              />
              <Icon aria-hidden="true" className="mt-0.5 size-5 shrink-0 text-primary" />
              <span className="grid gap-1">
                <span className="font-medium">{t.channelStep.channels[value]}</span>
                <span className="text-xs text-muted-foreground">{t.channelStep.channelHints[value]}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset className="grid gap-2" aria-describedby="senders-hint">
        <legend className="mb-1 text-sm font-medium">{t.channelStep.senders}</legend>
        <p id="senders-hint" className="text-xs text-muted-foreground">
          {state.channel === "whatsapp_qr" ? t.channelStep.qrDefault : t.channelStep.sendersHint}
        </p>
        {state.channel === "whatsapp_qr" ? null : senders.isPending ? (
          <Skeleton className="h-12" />
        ) : senders.data.length === 0 ? (
          <p className="rounded-md border border-dashed p-4 text-sm">
            {state.channel === "sms" ? t.channelStep.noSenders : t.channelStep.noNumbers}{" "}
            <Link to="/settings/channels" className="font-medium text-primary underline-offset-4 hover:underline">
              {t.channelStep.connect}
            </Link>
          </p>
        ) : (
          <ul className="grid gap-2 sm:grid-cols-2" data-testid="sender-list">
            {senders.data.map((sender) => (
              <li key={sender.id}>
                <label className="flex cursor-pointer items-center gap-3 rounded-md border p-3 text-sm hover:bg-accent/50">
                  <input
                    type="checkbox"
                    className="size-4 accent-[var(--primary)]"
                    checked={state.senderIds.includes(sender.id)}
                    onChange={(e) => toggle(sender.id, e.target.checked)}
                    data-testid="sender-option"
                    data-sender-id={sender.id}
                  />
                  <span className="grid min-w-0 flex-1 grid-cols-1">
                    <span className="truncate font-medium">{formatPhone(sender.phone)}</span>
                    {sender.label ? <span className="truncate text-xs text-muted-foreground">{sender.label}</span> : null}
                  </span>
                  <span className="shrink-0 text-xs tabular-nums text-muted-foreground">{t.channelStep.mps(String(sender.mps))}</span>
                </label>
              </li>
            ))}
          </ul>
        )}
        {error("senders") ? (
          <p className="text-xs font-medium text-destructive" data-field-error>
            {error("senders")}
          </p>
        ) : null}
      </fieldset>
    </div>
  );
}
