import { MessagesSquare } from "lucide-react";
import { EmptyState } from "@/components/EmptyState";
import { useI18n } from "@/i18n";

/** The thread pane before a conversation is picked (desktop only; phones show the list). */
export default function InboxIndex() {
  const { m } = useI18n();
  return (
    <div className="flex flex-1 items-center justify-center bg-thread">
      <EmptyState icon={MessagesSquare} title={m.inbox.pickTitle}>
        <p>{m.inbox.pickBody}</p>
        <p className="mt-3 text-xs">{m.inbox.shortcuts}</p>
      </EmptyState>
    </div>
  );
}
