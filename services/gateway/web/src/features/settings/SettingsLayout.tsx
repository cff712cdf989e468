import { Palette, Radio } from "lucide-react";
import { NavLink, Outlet } from "react-router";
import { useI18n } from "@/i18n";
import { cn } from "@/lib/utils";

export default function SettingsLayout() {
  const { m } = useI18n();
  const sections = [
    { to: "/settings/channels", label: m.settings.channels, icon: Radio },
    { to: "/settings/preferences", label: m.settings.preferences, icon: Palette },
  ];
  return (
    <div className="relative h-full overflow-auto">
      <div className="mx-auto flex max-w-5xl flex-col gap-6 px-4 py-6 sm:px-6 lg:flex-row lg:gap-10">
        <div className="lg:w-52 lg:shrink-0">
          <p className="mb-3 text-sm font-medium text-muted-foreground">{m.settings.title}</p>
          <nav aria-label={m.settings.sections} className="flex gap-1 overflow-x-auto lg:flex-col">
            {sections.map((s) => (
              <NavLink
                key={s.to}
                to={s.to}
                className={({ isActive }) =>
                  cn(
                    "flex items-center gap-2 whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium hover:bg-accent hover:text-accent-foreground",
                    isActive && "bg-accent text-accent-foreground",
                  )
                }
              >
                <s.icon className="size-4" aria-hidden="true" />
                {s.label}
              </NavLink>
            ))}
          </nav>
        </div>
        <div className="min-w-0 flex-1">
          <Outlet />
        </div>
      </div>
    </div>
  );
}
