import { Compass } from "lucide-react";
import { Link } from "react-router";
import { Button } from "@/components/ui/button";
import { useI18n } from "@/i18n";
import { EmptyState } from "./EmptyState";

export function NotFound() {
  const { m } = useI18n();
  return (
    <div className="relative h-full overflow-auto">
      <EmptyState
        icon={Compass}
        headingLevel={1}
        title={m.app.notFoundTitle}
        action={
          <Button asChild>
            <Link to="/inbox">{m.app.backToInbox}</Link>
          </Button>
        }
      >
        {m.app.notFoundBody}
      </EmptyState>
    </div>
  );
}
