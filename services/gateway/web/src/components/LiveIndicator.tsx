import { useI18n } from "@/i18n";
import { useLiveStatus } from "@/live/LiveEvents";
import { cn } from "@/lib/utils";
import { Tooltip, TooltipContent, TooltipTrigger } from "./ui/tooltip";

/** A dot and a word: live, or reconnecting (the stream dropped and is being restored). */
export function LiveIndicator() {
  const { m } = useI18n();
  const status = useLiveStatus();
  const label = status === "connected" ? m.live.connected : status === "connecting" ? m.live.connecting : m.live.reconnecting;
  const hint = status === "connected" ? m.live.connectedHint : m.live.reconnectingHint;
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <span
          role="status"
          aria-live="polite"
          tabIndex={0}
          data-live-status={status}
          className="inline-flex items-center gap-1.5 rounded-full border px-2.5 py-1 text-xs font-medium"
        >
          <span
            aria-hidden="true"
            className={cn(
              "size-2 rounded-full",
              status === "connected" ? "bg-success" : "animate-pulse bg-warning",
            )}
          />
          <span className="hidden sm:inline">{label}</span>
          <span className="sr-only sm:hidden">{label}</span>
        </span>
      </TooltipTrigger>
      <TooltipContent>{hint}</TooltipContent>
    </Tooltip>
  );
}
