import {
  Bot,
  ChartColumn,
  type LucideIcon,
  Megaphone,
  MessagesSquare,
  Phone,
  Settings,
  SquareKanban,
  Users,
} from "lucide-react";
import type { Messages } from "@/i18n";

export interface NavItem {
  to: string;
  label: (m: Messages) => string;
  icon: LucideIcon;
  /** The capability has not landed yet: the page says what will be there. */
  soon?: boolean;
}

export const NAV_ITEMS: NavItem[] = [
  { to: "/inbox", label: (m) => m.nav.inbox, icon: MessagesSquare },
  { to: "/contacts", label: (m) => m.nav.contacts, icon: Users },
  { to: "/leads", label: (m) => m.nav.leads, icon: SquareKanban, soon: true },
  { to: "/campaigns", label: (m) => m.nav.campaigns, icon: Megaphone },
  { to: "/ai", label: (m) => m.nav.ai, icon: Bot, soon: true },
  { to: "/voice", label: (m) => m.nav.voice, icon: Phone, soon: true },
  { to: "/analytics", label: (m) => m.nav.analytics, icon: ChartColumn, soon: true },
  { to: "/settings", label: (m) => m.nav.settings, icon: Settings },
];
