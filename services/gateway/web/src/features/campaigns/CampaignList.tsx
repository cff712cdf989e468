import { LoaderCircle, Megaphone, MessageSquareText, Plus, Search, Smartphone } from "lucide-react";
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { CAMPAIGN_STATES } from "@/api/campaigns";
import { EmptyState } from "@/components/EmptyState";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatDateTime, formatListTime, formatNumber } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { cn } from "@/lib/utils";
import { formatRate } from "./format";
import { useCampaigns } from "./hooks";
import { campaignsMessages } from "./i18n";
import { type LiveCampaign, countsOf, progressOf, ratesOf } from "./live";
import { AreaTabs, CampaignProgress, StateBadge } from "./parts";

const SEARCH_DEBOUNCE_MS = 300;

export function ChannelGlyph({ channel, className }: { channel: string; className?: string }) {
  const Icon = channel === "sms" ? MessageSquareText : channel === "whatsapp_qr" ? Smartphone : Megaphone;
  return <Icon aria-hidden="true" className={cn("size-4 shrink-0", channel === "sms" ? "text-sky-600 dark:text-sky-400" : "text-success", className)} />;
}

function Row({ campaign }: { campaign: LiveCampaign }) {
  const { m, lang } = useI18n();
  const t = useMessages(campaignsMessages);
  const counts = countsOf(campaign.counts);
  const progress = progressOf(counts, campaign.state);
  const rates = ratesOf(counts);
  const now = new Date();
  const when =
    campaign.state === "scheduled" && campaign.schedule?.start_at
      ? t.scheduledFor(formatDateTime(new Date(campaign.schedule.start_at), lang))
      : campaign.launched_at
        ? t.launched(formatListTime(new Date(campaign.launched_at), lang, now))
        : t.created(formatListTime(new Date(campaign.created_at), lang, now));
  const href = campaign.state === "draft" ? `/campaigns/new?draft=${campaign.id}` : `/campaigns/${campaign.id}`;
  const showProgress = campaign.state !== "draft" && counts.total > 0;
  return (
    <li className="border-b last:border-b-0" data-testid="campaign-row" data-campaign-id={campaign.id} data-state={campaign.state}>
      <Link to={href} className="grid grid-cols-1 gap-2 px-4 py-3 hover:bg-accent/50 focus-visible:-outline-offset-2 sm:grid-cols-[minmax(0,1fr)_14rem] sm:items-center sm:gap-6">
        <span className="grid min-w-0 grid-cols-1 gap-1">
          <span className="flex min-w-0 items-center gap-2">
            <ChannelGlyph channel={campaign.channel} />
            <span className="truncate font-medium">{campaign.name}</span>
            <StateBadge state={campaign.state} label={t.states[campaign.state] ?? campaign.state} />
          </span>
          <span className="flex flex-wrap gap-x-3 text-xs text-muted-foreground">
            <span>{m.channels[campaign.channel] ?? campaign.channel}</span>
            <span>{when}</span>
            {counts.total ? <span>{t.recipients(formatNumber(counts.total, lang))}</span> : null}
            {rates.delivery !== null ? <span>{t.deliveredPct(formatRate(rates.delivery, lang))}</span> : null}
          </span>
        </span>
        {showProgress ? (
          <span className="grid gap-1">
            <CampaignProgress counts={counts} state={campaign.state} label={t.progressLabel(campaign.name)} size="sm" />
            <span className="flex justify-between text-xs tabular-nums text-muted-foreground">
              <span>{t.processedOf(formatNumber(progress.done, lang), formatNumber(progress.total, lang))}</span>
              <span>{t.live.percent(progress.percent)}</span>
            </span>
          </span>
        ) : (
          <span className="hidden sm:block" />
        )}
      </Link>
    </li>
  );
}

function ListSkeleton() {
  return (
    <ul aria-hidden="true">
      {Array.from({ length: 5 }, (_, i) => (
        <li key={i} className="grid gap-2 border-b px-4 py-4">
          <Skeleton className="h-4 w-1/3" />
          <Skeleton className="h-3 w-1/2" />
        </li>
      ))}
    </ul>
  );
}

/** Campaigns: state filter and search in the URL, progress bars that follow live events, a clear first step. */
export default function CampaignList() {
  const { m } = useI18n();
  const t = useMessages(campaignsMessages);
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => ({ state: params.get("state") ?? "", q: params.get("q") ?? "" }), [params]);
  const [text, setText] = useState(filters.q);
  const campaigns = useCampaigns(filters);
  const { items } = campaigns;

  const setParam = useCallback(
    (name: "state" | "q", value: string) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (value) next.set(name, value);
          else next.delete(name);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  useEffect(() => setText((current) => (current.trim() === filters.q ? current : filters.q)), [filters.q]);
  useEffect(() => {
    const value = text.trim();
    if (value === filters.q) return;
    const timer = setTimeout(() => setParam("q", value), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, filters.q, setParam]);

  const filtered = Boolean(filters.state || filters.q);
  const nothingAtAll = !filtered && campaigns.isSuccess && items.length === 0;

  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto grid grid-cols-1 max-w-5xl gap-4 px-4 py-6 sm:px-6">
        <header className="flex flex-wrap items-start justify-between gap-3">
          <div className="grid gap-1">
            <h1 className="text-2xl font-semibold">{t.title}</h1>
            <p className="text-sm text-muted-foreground">{t.description}</p>
          </div>
          <Button asChild>
            <Link to="/campaigns/new" data-testid="campaign-create">
              <Plus aria-hidden="true" />
              {t.create}
            </Link>
          </Button>
        </header>
        <AreaTabs />
        {nothingAtAll ? null : (
          <div className="flex flex-col gap-3 sm:flex-row sm:items-center">
            <div role="group" aria-label={t.filterLabel} className="flex gap-1 overflow-x-auto pb-1 sm:pb-0">
              {["", ...CAMPAIGN_STATES].map((state) => (
                <button
                  key={state || "all"}
                  type="button"
                  aria-pressed={filters.state === state}
                  onClick={() => setParam("state", state)}
                  className={cn(
                    "whitespace-nowrap rounded-full border px-3 py-1 text-sm font-medium text-muted-foreground transition-colors hover:text-foreground",
                    filters.state === state && "border-primary bg-accent text-accent-foreground",
                  )}
                  data-testid={`state-filter-${state || "all"}`}
                >
                  {state ? t.statesPlural[state] : t.all}
                </button>
              ))}
            </div>
            <div className="relative sm:ml-auto sm:w-64">
              <Search className="pointer-events-none absolute left-2.5 top-1/2 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden="true" />
              <Input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder={t.search} aria-label={t.search} className="pl-8" maxLength={100} />
            </div>
          </div>
        )}
        <section aria-label={t.title} className={cn(!nothingAtAll && "rounded-xl border")}>
          {campaigns.isPending ? (
            <div role="status" aria-label={m.app.loading}>
              <ListSkeleton />
            </div>
          ) : campaigns.isError ? (
            <div role="alert" className="grid gap-3 p-6 text-center text-sm">
              <p className="font-medium">{t.loadError}</p>
              <p className="text-muted-foreground">{describeError(campaigns.error, m)}</p>
              <Button variant="outline" size="sm" className="mx-auto" onClick={() => void campaigns.refetch()}>
                {m.app.retry}
              </Button>
            </div>
          ) : nothingAtAll ? (
            <EmptyState
              icon={Megaphone}
              title={t.emptyTitle}
              action={
                <Button asChild>
                  <Link to="/campaigns/new">
                    <Plus aria-hidden="true" />
                    {t.emptyAction}
                  </Link>
                </Button>
              }
            >
              {t.emptyBody}
            </EmptyState>
          ) : items.length === 0 ? (
            <div className="grid gap-3 p-6 text-center text-sm text-muted-foreground" role="status">
              <p>{t.noResults}</p>
              <Button
                variant="outline"
                size="sm"
                className="mx-auto"
                onClick={() => {
                  setText("");
                  setParams(new URLSearchParams(), { replace: true });
                }}
              >
                {t.clearFilter}
              </Button>
            </div>
          ) : (
            <>
              <ul aria-label={t.title} data-testid="campaign-list">
                {items.map((c) => (
                  <Row key={c.id} campaign={c} />
                ))}
              </ul>
              {campaigns.hasNextPage ? (
                <div className="border-t p-3 text-center">
                  <Button variant="ghost" size="sm" onClick={() => void campaigns.fetchNextPage()} disabled={campaigns.isFetchingNextPage}>
                    {campaigns.isFetchingNextPage ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
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
