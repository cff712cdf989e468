import { LoaderCircle } from "lucide-react";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";

/** While a page's code or data loads: its outline, never a blank page. */
export function PageSkeleton() {
  const { m } = useI18n();
  return (
    <div className="flex h-full flex-col gap-4 p-6" role="status" aria-live="polite">
      <span className="sr-only">{m.app.loading}</span>
      <Skeleton className="h-7 w-48" />
      <Skeleton className="h-4 w-80 max-w-full" />
      <div className="mt-2 grid gap-3">
        <Skeleton className="h-20 w-full" />
        <Skeleton className="h-20 w-full" />
        <Skeleton className="h-20 w-2/3" />
      </div>
    </div>
  );
}

export function FullPageSpinner() {
  const { m } = useI18n();
  return (
    <div className="flex h-dvh items-center justify-center" role="status" aria-live="polite">
      <LoaderCircle className="size-6 animate-spin text-muted-foreground" aria-hidden="true" />
      <span className="sr-only">{m.app.loading}</span>
    </div>
  );
}
