import { MessageCircle, MessageSquareText, Phone } from "lucide-react";
import { useI18n } from "@/i18n";
import { cn } from "@/lib/utils";

/** The channel a conversation runs on, as an icon with an accessible name. */
export function ChannelIcon({ channel, className }: { channel: string; className?: string }) {
  const { m } = useI18n();
  const label = m.channels[channel] ?? channel;
  const Icon = channel.startsWith("whatsapp") ? MessageCircle : channel === "voice" ? Phone : MessageSquareText;
  return (
    <Icon
      role="img"
      aria-label={label}
      className={cn("size-3.5 shrink-0", channel.startsWith("whatsapp") ? "text-success" : "text-muted-foreground", className)}
    >
      <title>{label}</title>
    </Icon>
  );
}
