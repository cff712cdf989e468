import { LoaderCircle, Plus, Workflow } from "lucide-react";
import { Link } from "react-router";
import type { Cadence } from "@/api/cadences";
import { EmptyState } from "@/components/EmptyState";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { ChannelGlyph } from "@/features/campaigns/CampaignList";
import { campaignsMessages } from "@/features/campaigns/i18n";
import { AreaTabs, StateBadge } from "@/features/campaigns/parts";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatListTime, formatNumber } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { useCadences } from "./hooks";
import { cadencesMessages } from "./i18n";

function Row({ cadence }: { cadence: Cadence }) {
  const { m, lang } = useI18n();
  const t = useMessages(cadencesMessages);
  const e = cadence.enrolments ?? { total: 0, active: 0, completed: 0, stopped: 0 };
  const channels = [...new Set(cadence.steps.map((s) => s.channel))];
  return (
    <li className="border-b last:border-b-0" data-testid="cadence-row" data-cadence-id={cadence.id} data-state={cadence.state}>
      <Link to={`/campaigns/cadences/${cadence.id}`} className="grid grid-cols-1 gap-1 px-4 py-3 hover:bg-accent/50 focus-visible:-outline-offset-2">
        <span className="flex min-w-0 items-center gap-2">
          <span className="flex shrink-0 gap-0.5">
            {channels.map((c) => (
              <ChannelGlyph key={c} channel={c} />
            ))}
          </span>
          <span className="truncate font-medium">{cadence.name}</span>
          <StateBadge state={cadence.state} label={t.states[cadence.state] ?? cadence.state} />
        </span>
        <span className="flex flex-wrap gap-x-3 text-xs text-muted-foreground">
          <span>{t.steps(cadence.steps.length)}</span>
          <span>{channels.map((c) => m.channels[c] ?? c).join(" → ")}</span>
          <span>{t.enrolledCounts(formatNumber(e.active, lang), formatNumber(e.total, lang))}</span>
          <span>{t.created(formatListTime(new Date(cadence.created_at), lang))}</span>
        </span>
      </Link>
    </li>
  );
}

/** Cadences: the drip sequences, their state and how many contacts are in them. */
export default function CadenceList() {
  const { m } = useI18n();
  const t = useMessages(cadencesMessages);
  const c = useMessages(campaignsMessages);
  const cadences = useCadences();
  const empty = cadences.isSuccess && cadences.items.length === 0;
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto grid grid-cols-1 max-w-5xl gap-4 px-4 py-6 sm:px-6">
        <header className="flex flex-wrap items-start justify-between gap-3">
          <div className="grid gap-1">
            <h1 className="text-2xl font-semibold">{c.title}</h1>
            <p className="text-sm text-muted-foreground">{t.description}</p>
          </div>
          <Button asChild>
            <Link to="/campaigns/cadences/new" data-testid="cadence-create">
              <Plus aria-hidden="true" />
              {t.create}
            </Link>
          </Button>
        </header>
        <AreaTabs />
        <section aria-label={t.title} className={empty ? undefined : "rounded-xl border"}>
          {cadences.isPending ? (
            <div role="status" aria-label={m.app.loading} className="grid gap-3 p-4">
              <Skeleton className="h-10" />
              <Skeleton className="h-10" />
            </div>
          ) : cadences.isError ? (
            <div role="alert" className="grid gap-3 p-6 text-center text-sm">
              <p className="font-medium">{t.loadError}</p>
              <p className="text-muted-foreground">{describeError(cadences.error, m)}</p>
              <Button variant="outline" size="sm" className="mx-auto" onClick={() => void cadences.refetch()}>
                {m.app.retry}
              </Button>
            </div>
          ) : empty ? (
            <EmptyState
              icon={Workflow}
              title={t.emptyTitle}
              action={
                <Button asChild>
                  <Link to="/campaigns/cadences/new">
                    <Plus aria-hidden="true" />
                    {t.emptyAction}
                  </Link>
                </Button>
              }
            >
              {t.emptyBody}
            </EmptyState>
          ) : (
            <>
              <ul aria-label={t.title} data-testid="cadence-list">
                {cadences.items.map((cadence) => (
                  <Row key={cadence.id} cadence={cadence} />
                ))}
              </ul>
              {cadences.hasNextPage ? (
                <div className="border-t p-3 text-center">
                  <Button variant="ghost" size="sm" onClick={() => void cadences.fetchNextPage()} disabled={cadences.isFetchingNextPage}>
                    {cadences.isFetchingNextPage ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
                    {t.loadMore}
                  </Button>
                </div>
              ) : null}
            </>
          )}
        </section>
      </div>
    </div>
  );
}
