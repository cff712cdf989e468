import type { OutboundContent } from "@/api/inbox";

/**
 * The one-line preview the server stores for a message (libs/contracts content.py `preview`), so the agent's
 * optimistic copy can be matched with the `message.stored` event of the same send.
 */
export function previewOf(content: OutboundContent | Record<string, unknown>, limit = 120): string {
  const c = content as Record<string, unknown>;
  let text = "";
  if (c.kind === "text") text = String(c.body ?? "");
  else if (c.kind === "template") text = `[template] ${String(c.name ?? "")}`;
  else if (typeof c.kind === "string") text = `[${c.kind}] ${String(c.caption ?? "")}`.trim();
  const oneLine = text.split(/\s+/).filter(Boolean).join(" ");
  return oneLine.length <= limit ? oneLine : `${oneLine.slice(0, limit - 1)}…`;
}
