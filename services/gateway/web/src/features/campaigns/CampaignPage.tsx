import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft, CircleAlert, LoaderCircle, Pause, Pencil, Play, Rocket, Trash2, X } from "lucide-react";
import { useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { toast } from "sonner";
import { type Campaign, campaignKeys, campaignsApi, type CampaignStats, FINAL_STATES, RECIPIENT_STATES } from "@/api/campaigns";
import { useTenantId } from "@/app/session";
import { EmptyState } from "@/components/EmptyState";
import { PageSkeleton } from "@/components/PageSkeleton";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatDateTime, formatListTime, formatNumber, formatPhone } from "@/i18n/format";
import { ApiError } from "@/api/problems";
import { describeError } from "@/lib/errors";
import { cn } from "@/lib/utils";
import { combineRates, ratesFromSeries, bucketSeconds } from "./chart";
import { ChannelGlyph } from "./CampaignList";
import { formatRate } from "./format";
import { type CampaignAction, useCampaign, useCampaignAction, useCampaignStats, useRecipients } from "./hooks";
import { campaignsMessages } from "./i18n";
import { countsOf, progressOf, ratesOf } from "./live";
import { CampaignProgress, Stat, StateBadge, useNumber } from "./parts";
import { RateChart } from "./RateChart";
import { useCampaignLive } from "./useCampaignLive";

function Controls({ campaign }: { campaign: Campaign }) {
  const { m, lang } = useI18n();
  const t = useMessages(campaignsMessages);
  const tenantId = useTenantId();
  const client = useQueryClient();
  const navigate = useNavigate();
  const action = useCampaignAction(campaign.id);
  const [confirm, setConfirm] = useState<"cancel" | "delete" | null>(null);
  const remove = useMutation({
    mutationFn: () => campaignsApi.remove(campaign.id),
    onSuccess: () => {
      toast.success(t.live.deleted);
      void client.invalidateQueries({ queryKey: campaignKeys.lists(tenantId) });
      navigate("/campaigns");
    },
    onError: (error) => toast.error(describeError(error, m)),
  });
  const run = (a: CampaignAction) =>
    action.mutate(a, {
      onSuccess: () => {
        const done = { pause: t.live.paused, resume: t.live.resumed, cancel: t.live.cancelled, launch: t.wizard.launched }[a];
        toast.success(done);
        setConfirm(null);
      },
      onError: (error) => {
        toast.error(describeError(error, m));
        // A 409 means the state moved under us (finished, paused elsewhere): read it again.
        if (error instanceof ApiError && error.status === 409) void client.invalidateQueries({ queryKey: campaignKeys.detail(tenantId, campaign.id) });
      },
    });
  const busy = action.isPending ? action.variables : null;
  const counts = countsOf(campaign.counts);
  const left = counts.pending + counts.queued;
  const spin = (a: CampaignAction) => (busy === a ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null);

  return (
    <div className="flex flex-wrap gap-2" data-testid="campaign-controls">
      {campaign.state === "draft" ? (
        <>
          <Button asChild variant="outline" size="sm">
            <Link to={`/campaigns/new?draft=${campaign.id}`}>
              <Pencil aria-hidden="true" />
              {t.live.edit}
            </Link>
          </Button>
          <Button size="sm" onClick={() => run("launch")} disabled={action.isPending} data-testid="campaign-launch">
            {spin("launch") ?? <Rocket aria-hidden="true" />}
            {t.live.launch}
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setConfirm("delete")}>
            <Trash2 aria-hidden="true" />
            {t.live.delete}
          </Button>
        </>
      ) : null}
      {campaign.state === "running" ? (
        <Button size="sm" variant="outline" onClick={() => run("pause")} disabled={action.isPending} data-testid="campaign-pause">
          {spin("pause") ?? <Pause aria-hidden="true" />}
          {t.live.pause}
        </Button>
      ) : null}
      {campaign.state === "paused" ? (
        <Button size="sm" onClick={() => run("resume")} disabled={action.isPending} data-testid="campaign-resume">
          {spin("resume") ?? <Play aria-hidden="true" />}
          {t.live.resume}
        </Button>
      ) : null}
      {campaign.state === "running" || campaign.state === "paused" || campaign.state === "scheduled" ? (
        <Button size="sm" variant="ghost" className="text-destructive hover:text-destructive" onClick={() => setConfirm("cancel")} disabled={action.isPending} data-testid="campaign-cancel">
          <X aria-hidden="true" />
          {t.live.cancel}
        </Button>
      ) : null}
      <Dialog open={confirm !== null} onOpenChange={(o) => !o && setConfirm(null)}>
        <DialogContent closeLabel={m.app.close} data-testid="confirm-dialog">
          <DialogHeader>
            <DialogTitle>{confirm === "delete" ? t.live.delete : t.live.cancelTitle}</DialogTitle>
            <DialogDescription>{confirm === "delete" ? campaign.name : t.live.cancelBody(formatNumber(left, lang))}</DialogDescription>
          </DialogHeader>
          <DialogFooter>
            <Button variant="outline" onClick={() => setConfirm(null)}>
              {confirm === "delete" ? m.app.close : t.live.keep}
            </Button>
            {confirm === "delete" ? (
              <Button variant="destructive" onClick={() => remove.mutate()} disabled={remove.isPending}>
                {remove.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
                {t.live.delete}
              </Button>
            ) : (
              <Button variant="destructive" onClick={() => run("cancel")} disabled={action.isPending} data-testid="confirm-cancel">
                {spin("cancel")}
                {t.live.cancelConfirm}
              </Button>
            )}
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </div>
  );
}

function FailuresTable({ stats, onExamples }: { stats: CampaignStats | undefined; onExamples: () => void }) {
  const t = useMessages(campaignsMessages);
  const n = useNumber();
  const failures = stats?.failures ?? [];
  const skipped = Object.entries(stats?.skipped ?? {}).filter(([, count]) => count > 0);
  return (
    <section aria-label={t.live.failures} className="grid content-start gap-2" data-testid="failures">
      <h2 className="text-sm font-semibold">{t.live.failures}</h2>
      {skipped.length ? (
        <p className="flex flex-wrap gap-x-3 text-xs text-muted-foreground" data-testid="skipped-reasons">
          <span className="font-medium text-foreground">{t.live.skippedBy}:</span>
          {skipped.map(([reason, count]) => (
            <span key={reason}>
              {t.live.skipReasons[reason] ?? reason}: <span className="tabular-nums text-foreground">{n(count)}</span>
            </span>
          ))}
        </p>
      ) : null}
      {failures.length === 0 ? (
        <p className="rounded-md border border-dashed p-4 text-sm text-muted-foreground">{t.live.noFailures}</p>
      ) : (
        <div className="overflow-x-auto rounded-md border">
          <table className="w-full text-sm">
            <thead className="text-left text-xs text-muted-foreground">
              <tr>
                <th className="px-3 py-2 font-medium">{t.live.reason}</th>
                <th className="px-3 py-2 font-medium">{t.live.code}</th>
                <th className="px-3 py-2 text-right font-medium">{t.live.count}</th>
              </tr>
            </thead>
            <tbody>
              {failures.map((f, i) => (
                <tr key={`${f.code}-${i}`} className="border-t" data-testid="failure-row">
                  <td className="px-3 py-2">
                    {/* The examples are the failed recipients, one click away in the table below. */}
                    <button type="button" className="text-left hover:underline" onClick={onExamples} title={t.live.examples}>
                      {f.title || "—"}
                    </button>
                  </td>
                  <td className="px-3 py-2 font-mono text-xs">{f.code ?? "—"}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{n(f.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function VariantsTable({ stats }: { stats: CampaignStats | undefined }) {
  const { lang } = useI18n();
  const t = useMessages(campaignsMessages);
  const n = useNumber();
  const variants = stats?.variants ?? [];
  if (variants.length < 2) return null;
  return (
    <section aria-label={t.live.variants} className="grid gap-2" data-testid="variants">
      <h2 className="text-sm font-semibold">{t.live.variants}</h2>
      <div className="overflow-x-auto rounded-md border">
        <table className="w-full text-sm">
          <thead className="text-left text-xs text-muted-foreground">
            <tr>
              <th className="px-3 py-2 font-medium">{t.live.variant}</th>
              <th className="px-3 py-2 text-right font-medium">{t.recipientStates.total}</th>
              <th className="px-3 py-2 text-right font-medium">{t.recipientStates.delivered}</th>
              <th className="px-3 py-2 text-right font-medium">{t.live.read}</th>
              <th className="px-3 py-2 text-right font-medium">{t.live.reply}</th>
              <th className="px-3 py-2 text-right font-medium">{t.recipientStates.failed}</th>
            </tr>
          </thead>
          <tbody>
            {variants.map((v) => {
              const c = countsOf(v.counts);
              const r = ratesOf(c);
              return (
                <tr key={v.name} className="border-t">
                  <td className="px-3 py-2 font-medium">{v.name}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{n(c.total)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{formatRate(r.delivery, lang)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{formatRate(r.read, lang)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{formatRate(r.reply, lang)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{n(c.failed)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function RecipientsTable({ campaignId }: { campaignId: string }) {
  const { m, lang } = useI18n();
  const t = useMessages(campaignsMessages);
  const [params, setParams] = useSearchParams();
  const state = params.get("recipients") ?? "";
  const recipients = useRecipients(campaignId, state);
  const now = new Date();
  const setState = (value: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set("recipients", value);
        else next.delete("recipients");
        return next;
      },
      { replace: true },
    );
  return (
    <section aria-label={t.live.recipients} className="grid gap-2" data-testid="recipients">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-sm font-semibold">{t.live.recipients}</h2>
        <Select aria-label={t.live.recipientsFilter} value={state} onChange={(e) => setState(e.target.value)} className="w-auto min-w-48" data-testid="recipients-filter">
          <option value="">{t.live.allStates}</option>
          {RECIPIENT_STATES.map((s) => (
            <option key={s} value={s}>
              {t.recipientStates[s]}
            </option>
          ))}
        </Select>
      </div>
      {recipients.isPending ? (
        <Skeleton className="h-32" />
      ) : recipients.isError ? (
        <p role="alert" className="text-sm text-muted-foreground">
          {describeError(recipients.error, m)}
        </p>
      ) : recipients.items.length === 0 ? (
        <p className="rounded-md border border-dashed p-4 text-sm text-muted-foreground">{t.live.noRecipients}</p>
      ) : (
        <div className="overflow-x-auto rounded-md border">
          <table className="w-full text-sm">
            <thead className="text-left text-xs text-muted-foreground">
              <tr>
                <th className="px-3 py-2 font-medium">{t.live.recipient}</th>
                <th className="px-3 py-2 font-medium">{t.live.state}</th>
                <th className="hidden px-3 py-2 font-medium sm:table-cell">{t.live.detail}</th>
                <th className="px-3 py-2 text-right font-medium">{t.live.at}</th>
              </tr>
            </thead>
            <tbody>
              {recipients.items.map((r) => {
                const at = r.read_at ?? r.delivered_at ?? r.failed_at ?? r.sent_at ?? r.queued_at;
                const detail = r.skip_reason ? (t.live.skipReasons[r.skip_reason] ?? r.skip_reason) : r.error_title || r.error_code || (r.state === "unknown" ? t.recipientHints.unknown : "");
                const phone = formatPhone(r.phone);
                const name = r.name?.trim();
                return (
                  <tr key={r.id} className="border-t" data-testid="recipient-row" data-state={r.state}>
                    <td className="px-3 py-2">
                      <Link to={`/contacts/${r.contact_id}`} className="group grid">
                        <span className="font-medium group-hover:underline" data-testid="recipient-name">
                          {name || phone || r.contact_id.slice(0, 8)}
                        </span>
                        {name && phone ? (
                          <span className="whitespace-nowrap text-xs text-muted-foreground tabular-nums" data-testid="recipient-phone">
                            {phone}
                          </span>
                        ) : null}
                      </Link>
                    </td>
                    <td className="px-3 py-2">
                      <span className={cn("whitespace-nowrap", r.state === "failed" && "text-destructive")}>{t.recipientStates[r.state] ?? r.state}</span>
                      {r.replied_at ? <span className="block text-xs text-success">{t.recipientStates.replied}</span> : null}
                      {r.variant ? <span className="block text-xs text-muted-foreground">{t.message.variant(r.variant)}</span> : null}
                    </td>
                    <td className="hidden max-w-xs px-3 py-2 text-xs text-muted-foreground sm:table-cell">{detail}</td>
                    <td className="whitespace-nowrap px-3 py-2 text-right text-xs tabular-nums text-muted-foreground">
                      {at ? <time dateTime={at} title={formatDateTime(new Date(at), lang)}>{formatListTime(new Date(at), lang, now)}</time> : "—"}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {recipients.hasNextPage ? (
            <div className="border-t p-2 text-center">
              <Button variant="ghost" size="sm" onClick={() => void recipients.fetchNextPage()} disabled={recipients.isFetchingNextPage}>
                {recipients.isFetchingNextPage ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
                {t.loadMore}
              </Button>
            </div>
          ) : null}
        </div>
      )}
    </section>
  );
}

const COUNT_KEYS = ["pending", "queued", "sent", "delivered", "read", "failed", "unknown", "skipped", "cancelled", "replied"] as const;

/**
 * The live campaign page: the progress bar, counts per state, rates and the rate chart follow
 * campaign.progressed events (polling GET /stats when the feed is down); pause, resume and cancel always in
 * reach; failures by reason, versions, and the recipients filtered by state.
 */
export default function CampaignPage() {
  const { m, lang } = useI18n();
  const t = useMessages(campaignsMessages);
  const { campaignId = "" } = useParams();
  const live = useCampaignLive(campaignId);
  const campaign = useCampaign(campaignId, { live: live.connected });
  const c = campaign.data;
  const stats = useCampaignStats(campaignId, c?.state, live.connected);
  const [, setParams] = useSearchParams();
  const n = useNumber();

  // The campaign's counts are the freshest (events patch both); the stats bring rates, failures, the series.
  const counts = countsOf(c?.counts ?? stats.data?.counts);
  const progress = progressOf(counts, c?.state);
  const localRates = ratesOf(counts);
  const rates = {
    delivery: stats.data?.delivery_rate ?? localRates.delivery,
    read: stats.data?.read_rate ?? localRates.read,
    reply: stats.data?.reply_rate ?? localRates.reply,
  };
  const points = useMemo(() => {
    const series = stats.data?.series ?? [];
    const width = stats.data?.bucket_s || bucketSeconds(series);
    return combineRates(ratesFromSeries(series, width), live.samples, width * 1000);
  }, [stats.data?.series, stats.data?.bucket_s, live.samples]);
  const current = c?.state === "running" ? (live.samples[live.samples.length - 1]?.v ?? null) : null;

  if (campaign.isPending) return <PageSkeleton />;
  if (campaign.isError || !c) {
    const notFound = campaign.error instanceof ApiError && campaign.error.status === 404;
    return (
      <div className="h-full overflow-y-auto">
        <EmptyState icon={CircleAlert} title={notFound ? t.live.notFound : t.loadError}>
          {notFound ? null : describeError(campaign.error, m)}
          <div className="mt-4">
            <Button asChild variant="outline" size="sm">
              <Link to="/campaigns">{t.live.back}</Link>
            </Button>
          </div>
        </EmptyState>
      </div>
    );
  }

  const snapshotting = c.snapshot?.state === "pending" && !FINAL_STATES.includes(c.state);
  const filterBy = (state: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        next.set("recipients", state);
        return next;
      },
      { replace: true },
    );

  return (
    <div className="h-full overflow-y-auto" data-testid="campaign-page" data-state={c.state}>
      <div className="mx-auto grid grid-cols-1 max-w-6xl gap-6 px-4 py-6 sm:px-6">
        <header className="grid gap-3">
          <Link to="/campaigns" className="flex w-fit items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
            <ArrowLeft className="size-4" aria-hidden="true" />
            {t.live.back}
          </Link>
          <div className="flex flex-wrap items-start justify-between gap-3">
            <div className="grid min-w-0 grid-cols-1 gap-1">
              <h1 className="break-words text-2xl font-semibold" data-testid="campaign-title">
                <ChannelGlyph channel={c.channel} className="mr-2 inline size-5 align-[-0.1em]" />
                {c.name}
              </h1>
              <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-muted-foreground">
                <StateBadge state={c.state} label={t.states[c.state] ?? c.state} className="text-foreground" />
                <span>{m.channels[c.channel] ?? c.channel}</span>
                {c.state === "scheduled" && c.schedule?.start_at ? <span>{t.live.sched(formatDateTime(new Date(c.schedule.start_at), lang))}</span> : null}
                {c.launched_at ? <span>{t.launched(formatDateTime(new Date(c.launched_at), lang))}</span> : <span>{t.created(formatDateTime(new Date(c.created_at), lang))}</span>}
                <span className="inline-flex items-center gap-1.5" data-testid="campaign-live" data-live={live.connected ? "on" : "polling"}>
                  <span aria-hidden="true" className={cn("size-2 rounded-full", live.connected ? "bg-success" : "bg-warning")} />
                  {live.connected ? t.live.liveOn : t.live.livePolling}
                </span>
              </p>
            </div>
            <Controls campaign={c} />
          </div>
        </header>

        {snapshotting ? (
          <p role="status" className="flex items-center gap-2 rounded-lg border bg-accent/40 p-3 text-sm" data-testid="snapshot-running">
            <LoaderCircle className="size-4 animate-spin" aria-hidden="true" />
            {t.live.snapshot}
          </p>
        ) : c.snapshot?.state === "done" && c.snapshot.took_ms !== null ? (
          <p className="text-xs text-muted-foreground">
            {t.live.snapshotDone(formatNumber(c.snapshot.total ?? 0, lang), `${formatNumber((c.snapshot.took_ms ?? 0) / 1000, lang, { maximumFractionDigits: 1 })} s`)}
          </p>
        ) : null}

        <section aria-label={t.live.progress} className="grid gap-3 rounded-xl border p-4">
          <div className="flex flex-wrap items-baseline justify-between gap-2">
            <h2 className="text-sm font-semibold">{t.live.progress}</h2>
            <span className="text-sm tabular-nums text-muted-foreground">
              <span className="mr-2 text-2xl font-semibold text-foreground" data-testid="progress-percent">
                {t.live.percent(progress.percent)}
              </span>
              {t.processedOf(n(progress.done), n(progress.total))}
            </span>
          </div>
          <CampaignProgress counts={counts} state={c.state} label={t.progressLabel(c.name)} />
          <ul aria-label={t.live.counts} className="grid grid-cols-3 gap-1 sm:grid-cols-5 sm:gap-2" data-testid="counts">
            {COUNT_KEYS.map((key) => (
              <li key={key}>
                <button
                  type="button"
                  onClick={() => key !== "replied" && filterBy(key)}
                  className="grid w-full gap-0.5 rounded-md px-2 py-1.5 text-left hover:bg-accent disabled:hover:bg-transparent"
                  disabled={key === "replied"}
                  title={t.recipientHints[key]}
                  data-testid={`count-${key}`}
                  data-value={counts[key]}
                >
                  <span className="text-xs text-muted-foreground">{t.recipientStates[key]}</span>
                  <span className={cn("text-lg font-semibold tabular-nums", key === "failed" && counts.failed > 0 && "text-destructive")}>{n(counts[key])}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>

        <section aria-label={t.live.rates} className="grid grid-cols-3 gap-2 sm:gap-3">
          <Stat label={t.live.delivery} value={formatRate(rates.delivery, lang)} testId="rate-delivery" />
          <Stat label={t.live.read} value={formatRate(rates.read, lang)} testId="rate-read" />
          <Stat label={t.live.reply} value={formatRate(rates.reply, lang)} hint={t.recipientStates.replied + ": " + n(counts.replied)} testId="rate-reply" />
        </section>

        <section className="rounded-xl border p-4">
          <RateChart points={points} current={current} />
        </section>

        <div className="grid gap-6 lg:grid-cols-2">
          <FailuresTable stats={stats.data} onExamples={() => filterBy("failed")} />
          <VariantsTable stats={stats.data} />
        </div>

        <RecipientsTable campaignId={c.id} />
      </div>
    </div>
  );
}
