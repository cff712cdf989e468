import { cn } from "@/lib/utils";

/** The mark (a speech bubble with a spark) and the name. */
export function Logo({ className, withName = true }: { className?: string; withName?: boolean }) {
  return (
    <span className={cn("inline-flex items-center gap-2 font-semibold tracking-tight", className)}>
      <svg viewBox="0 0 32 32" className="size-7 shrink-0" aria-hidden="true">
        <rect width="32" height="32" rx="8" className="fill-primary" />
        <path
          d="M9 10.5A3.5 3.5 0 0 1 12.5 7h7A3.5 3.5 0 0 1 23 10.5v6a3.5 3.5 0 0 1-3.5 3.5H15l-4.2 3.6c-.5.4-1.3.1-1.3-.6V20.3A3.5 3.5 0 0 1 9 16.5z"
          className="fill-primary-foreground"
        />
        <path d="M16 10l1 2.6 2.6 1-2.6 1-1 2.6-1-2.6-2.6-1 2.6-1z" className="fill-primary" />
      </svg>
      {withName ? <span className="text-base">Master IA</span> : null}
    </span>
  );
}
