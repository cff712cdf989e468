import type * as React from "react";
import { cn, initials } from "@/lib/utils";

const HUES = [165, 200, 250, 290, 330, 20, 60, 110];

function hue(seed: string): number {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return HUES[h % HUES.length]!;
}

/** Initials on a colour picked from the contact (stable), readable in both themes. */
export function InitialsAvatar({
  name,
  phone,
  seed,
  className,
  ...props
}: React.ComponentProps<"span"> & { name?: string | null; phone?: string | null; seed: string }) {
  const h = hue(seed);
  return (
    <span
      aria-hidden="true"
      className={cn(
        "inline-flex size-10 shrink-0 select-none items-center justify-center rounded-full text-sm font-semibold",
        "bg-[oklch(0.92_0.05_var(--h))] text-[oklch(0.32_0.09_var(--h))] dark:bg-[oklch(0.36_0.07_var(--h))] dark:text-[oklch(0.95_0.03_var(--h))]",
        className,
      )}
      style={{ "--h": h } as React.CSSProperties}
      {...props}
    >
      {initials(name, phone)}
    </span>
  );
}
