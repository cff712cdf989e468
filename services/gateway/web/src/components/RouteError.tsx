import { CircleAlert } from "lucide-react";
import { Button } from "@/components/ui/button";
import { useI18n } from "@/i18n";
import { EmptyState } from "./EmptyState";

export function RouteError({ onRetry }: { onRetry?: () => void }) {
  const { m } = useI18n();
  return (
    <div className="flex min-h-dvh items-center justify-center">
      <EmptyState
        icon={CircleAlert}
        title={m.app.crashed}
        action={<Button onClick={onRetry ?? (() => window.location.reload())}>{onRetry ? m.app.retry : m.app.reload}</Button>}
      />
    </div>
  );
}
