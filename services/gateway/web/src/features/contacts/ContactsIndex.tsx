import { Users } from "lucide-react";
import { EmptyState } from "@/components/EmptyState";
import { useMessages } from "@/i18n/feature";
import { contactsMessages } from "./i18n";

/** The detail pane before a contact is picked (desktop only; phones show the list). */
export default function ContactsIndex() {
  const t = useMessages(contactsMessages);
  return (
    <div className="flex flex-1 items-center justify-center">
      <EmptyState icon={Users} title={t.pickTitle}>
        {t.pickBody}
      </EmptyState>
    </div>
  );
}
