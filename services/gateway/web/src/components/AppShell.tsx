import { Menu } from "lucide-react";
import { useState } from "react";
import { Outlet } from "react-router";
import { useMe } from "@/app/session";
import { useI18n } from "@/i18n";
import { LiveEventsProvider } from "@/live/LiveEvents";
import { LanguageMenu } from "./LanguageMenu";
import { LiveIndicator } from "./LiveIndicator";
import { NoTenant } from "./NoTenant";
import { Logo } from "./Logo";
import { Sidebar, SidebarNav } from "./Sidebar";
import { TenantSwitcher } from "./TenantSwitcher";
import { ThemeToggle } from "./ThemeToggle";
import { Button } from "./ui/button";
import { Sheet, SheetContent, SheetDescription, SheetTitle, SheetTrigger } from "./ui/sheet";
import { UserMenu } from "./UserMenu";

function MobileNav() {
  const { m } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <Sheet open={open} onOpenChange={setOpen}>
      <SheetTrigger asChild>
        <Button variant="ghost" size="icon" className="md:hidden" aria-label={m.nav.openMenu}>
          <Menu aria-hidden="true" />
        </Button>
      </SheetTrigger>
      <SheetContent closeLabel={m.nav.closeMenu} aria-describedby={undefined}>
        <SheetTitle className="flex h-14 items-center border-b px-5">
          <Logo />
        </SheetTitle>
        <SheetDescription className="sr-only">{m.nav.main}</SheetDescription>
        <SidebarNav onNavigate={() => setOpen(false)} />
      </SheetContent>
    </Sheet>
  );
}

/** The signed-in frame: skip link, sidebar with every area, header with company, live status and settings. */
export function AppShell() {
  const { m } = useI18n();
  const { data: me } = useMe();
  return (
    <LiveEventsProvider tenantId={me?.tenant?.id ?? null}>
      <a
        href="#main"
        className="sr-only z-[100] rounded-md bg-primary px-4 py-2 font-medium text-primary-foreground focus:not-sr-only focus:fixed focus:left-3 focus:top-3"
      >
        {m.app.skipToContent}
      </a>
      <div className="flex h-dvh overflow-hidden">
        <Sidebar />
        <div className="flex min-w-0 flex-1 flex-col">
          <header className="flex h-14 shrink-0 items-center gap-2 border-b bg-background px-2 sm:px-4">
            <MobileNav />
            <TenantSwitcher />
            <div className="ml-auto flex items-center gap-1">
              <LiveIndicator />
              <LanguageMenu />
              <ThemeToggle />
              <UserMenu />
            </div>
          </header>
          <main id="main" tabIndex={-1} className="relative min-h-0 flex-1 overflow-hidden focus:outline-none">
            {me?.tenant ? <Outlet /> : <NoTenant />}
          </main>
        </div>
      </div>
    </LiveEventsProvider>
  );
}
