import { NavLink } from "react-router";
import { useI18n } from "@/i18n";
import { cn } from "@/lib/utils";
import { Logo } from "./Logo";
import { NAV_ITEMS } from "./nav";

/** Every area of the product; the ones still coming say so. */
export function SidebarNav({ onNavigate }: { onNavigate?: () => void }) {
  const { m } = useI18n();
  return (
    <nav aria-label={m.nav.main} className="flex flex-1 flex-col gap-0.5 overflow-y-auto px-3 py-2">
      {NAV_ITEMS.map((item) => {
        const label = item.label(m);
        return (
          <NavLink
            key={item.to}
            to={item.to}
            onClick={onNavigate}
            className={({ isActive }) =>
              cn(
                "group flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors",
                "hover:bg-sidebar-accent hover:text-sidebar-accent-foreground",
                isActive ? "bg-sidebar-accent text-sidebar-accent-foreground" : "text-sidebar-foreground",
                item.to === "/settings" && "mt-auto",
              )
            }
          >
            <item.icon className="size-4 shrink-0" aria-hidden="true" />
            <span className="flex-1 truncate">{label}</span>
            {item.soon ? (
              <span className="rounded-full border px-1.5 py-px text-[0.65rem] font-medium uppercase tracking-wide text-muted-foreground">
                {m.nav.soon}
              </span>
            ) : null}
          </NavLink>
        );
      })}
    </nav>
  );
}

export function Sidebar() {
  return (
    <aside className="hidden w-60 shrink-0 flex-col border-r bg-sidebar text-sidebar-foreground md:flex">
      <div className="flex h-14 items-center border-b px-5">
        <Logo />
      </div>
      <SidebarNav />
    </aside>
  );
}
