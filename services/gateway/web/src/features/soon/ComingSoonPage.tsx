import { Link } from "react-router";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { NAV_ITEMS } from "@/components/nav";
import { useI18n } from "@/i18n";

export type SoonArea = "leads" | "campaigns" | "ai" | "voice" | "analytics";

/** An area whose capability has not landed: what it will do, and where to work meanwhile. No fake data. */
export default function ComingSoonPage({ area }: { area: SoonArea }) {
  const { m } = useI18n();
  const copy = m.soon[area];
  const Icon = NAV_ITEMS.find((item) => item.to === `/${area}`)!.icon;
  return (
    <div className="relative h-full overflow-auto">
      <div className="mx-auto flex max-w-xl flex-col items-center gap-4 px-6 py-16 text-center">
        <span className="flex size-14 items-center justify-center rounded-2xl bg-accent text-accent-foreground">
          <Icon className="size-7" aria-hidden="true" />
        </span>
        <Badge variant="secondary">{m.soon.badge}</Badge>
        <h1 className="text-2xl font-semibold tracking-tight">{copy.title}</h1>
        <p className="text-balance text-muted-foreground">{copy.body}</p>
        <p className="text-sm text-muted-foreground">{m.soon.meanwhile}</p>
        <Button asChild variant="outline">
          <Link to="/inbox">{m.soon.goToInbox}</Link>
        </Button>
      </div>
    </div>
  );
}
