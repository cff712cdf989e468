import { Check, CheckCheck, CircleAlert, Clock } from "lucide-react";
import type { DeliveryError } from "@/api/inbox";
import { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip";
import { useMessages } from "@/i18n/feature";
import { cn } from "@/lib/utils";
import { inboxMessages } from "./i18n";

/** Why a message failed, in the provider's words (code included so support can look it up). */
export function failureReason(error: DeliveryError | null | undefined): string {
  if (!error) return "";
  return error.code && !error.title.includes(error.code) ? `${error.title} (${error.code})` : error.title;
}

/**
 * The delivery tick of an outbound message, like WhatsApp: a clock while queued, ✓ sent, ✓✓ delivered,
 * blue ✓✓ read, and a red mark for failed whose reason shows on hover or focus.
 */
export function StatusTick({ status, error }: { status: string | null | undefined; error?: DeliveryError | null }) {
  const t = useMessages(inboxMessages);
  const s = status || "queued";
  if (s === "failed") {
    const reason = failureReason(error);
    const label = reason ? t.ticks.failedReason(reason) : t.ticks.names.failed!;
    return (
      <Tooltip>
        <TooltipTrigger asChild>
          <button
            type="button"
            className="inline-flex items-center gap-0.5 rounded-sm font-medium text-destructive"
            aria-label={label}
            data-testid="message-status"
            data-status="failed"
          >
            <CircleAlert className="size-3.5" aria-hidden="true" />
            <span aria-hidden="true">{t.ticks.names.failed}</span>
          </button>
        </TooltipTrigger>
        <TooltipContent data-testid="message-failure-reason">{label}</TooltipContent>
      </Tooltip>
    );
  }
  const Icon = s === "sent" ? Check : s === "delivered" || s === "read" ? CheckCheck : Clock;
  const label = t.ticks.names[s] ?? s;
  return (
    <span role="img" aria-label={label} title={label} data-testid="message-status" data-status={s} className="inline-flex">
      <Icon
        aria-hidden="true"
        className={cn("size-3.5", s === "read" ? "text-sky-600 dark:text-sky-400" : "text-muted-foreground")}
      />
    </span>
  );
}
