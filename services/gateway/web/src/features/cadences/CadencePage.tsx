import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft, CircleAlert, LoaderCircle, Pause, Pencil, Play, Trash2, UserPlus, X } from "lucide-react";
import { useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { toast } from "sonner";
import { type Cadence, cadenceKeys, cadencesApi, type CadenceStats, type EnrolBody, ENROLMENT_STATES } from "@/api/cadences";
import { contactsApi } from "@/api/contacts";
import { ApiError } from "@/api/problems";
import { useTenantId } from "@/app/session";
import { EmptyState } from "@/components/EmptyState";
import { PageSkeleton } from "@/components/PageSkeleton";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { ChannelGlyph } from "@/features/campaigns/CampaignList";
import { formatDuration } from "@/features/campaigns/format";
import { useDebounced, useSegments } from "@/features/campaigns/hooks";
import { campaignsMessages } from "@/features/campaigns/i18n";
import { StateBadge, useNumber } from "@/features/campaigns/parts";
import { useContactTags } from "@/features/contacts/hooks";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatDateTime, formatNumber, formatPhone } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { cn } from "@/lib/utils";
import { delayMinutes } from "./cadence";
import { useCadence, useCadenceAction, useCadenceStats, useEnrolments } from "./hooks";
import { cadencesMessages } from "./i18n";

function EnrolDialog({ cadence, open, onOpenChange }: { cadence: Cadence; open: boolean; onOpenChange: (open: boolean) => void }) {
  const { m, lang } = useI18n();
  const t = useMessages(cadencesMessages);
  const tenantId = useTenantId();
  const client = useQueryClient();
  const [by, setBy] = useState<"segment" | "tags" | "contacts">("tags");
  const [segmentId, setSegmentId] = useState("");
  const [tag, setTag] = useState("");
  const [q, setQ] = useState("");
  const [chosen, setChosen] = useState<Map<string, string>>(new Map());
  const segments = useSegments();
  const tags = useContactTags();
  const needle = useDebounced(q.trim(), 300);
  const search = useQuery({
    queryKey: ["tenant", tenantId, "contacts", { q: needle, tag: "", channel: "", opted_out: "" }, "enrol-search"],
    queryFn: ({ signal }) => contactsApi.list({ q: needle, limit: 8 }, signal),
    enabled: by === "contacts" && needle.length >= 2,
  });
  const body: EnrolBody | null =
    by === "segment" ? (segmentId ? { segment_id: segmentId } : null) : by === "tags" ? (tag ? { filter: { tags_any: [tag] } } : null) : chosen.size ? { contact_ids: [...chosen.keys()] } : null;
  const enrol = useMutation({
    mutationFn: () => cadencesApi.enrol(cadence.id, body!),
    onSuccess: (result) => {
      toast.success(t.page.enrolled(formatNumber(result.enrolled, lang), formatNumber(result.skipped, lang)));
      void client.invalidateQueries({ queryKey: ["tenant", tenantId, "cadences"] });
      onOpenChange(false);
    },
    onError: (error) => toast.error(describeError(error, m)),
  });
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={m.app.close} data-testid="enrol-dialog">
        <DialogHeader>
          <DialogTitle>{t.page.enrolTitle}</DialogTitle>
          <DialogDescription>{t.page.enrolDescription}</DialogDescription>
        </DialogHeader>
        <div role="radiogroup" aria-label={t.page.enrol} className="grid grid-cols-3 rounded-md bg-muted p-0.5 text-sm">
          {(["tags", "segment", "contacts"] as const).map((mode) => (
            <button
              key={mode}
              type="button"
              role="radio"
              aria-checked={by === mode}
              onClick={() => setBy(mode)}
              className={cn("truncate rounded-[calc(var(--radius)-4px)] px-2 py-1.5 font-medium text-muted-foreground", by === mode && "bg-background text-foreground shadow-xs")}
            >
              {t.page.enrolBy[mode]}
            </button>
          ))}
        </div>
        {by === "tags" ? (
          <Field label={t.page.enrolTag}>
            {(ids) => (
              <Select {...ids} value={tag} onChange={(e) => setTag(e.target.value)} data-testid="enrol-tag">
                <option value="">{t.page.pickTag}</option>
                {(tags.data ?? []).map((x) => (
                  <option key={x.tag} value={x.tag}>
                    {x.tag} ({x.count})
                  </option>
                ))}
              </Select>
            )}
          </Field>
        ) : by === "segment" ? (
          <Field label={t.page.enrolBy.segment}>
            {(ids) => (
              <Select {...ids} value={segmentId} onChange={(e) => setSegmentId(e.target.value)}>
                <option value="">{t.page.pickSegment}</option>
                {(segments.data ?? []).map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        ) : (
          <div className="grid gap-2">
            <Input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t.page.searchContacts} aria-label={t.page.searchContacts} />
            {search.data?.items.length ? (
              <ul className="grid max-h-48 gap-1 overflow-y-auto rounded-md border p-1">
                {search.data.items.map((contact) => (
                  <li key={contact.id}>
                    <label className="flex items-center gap-2 rounded-sm px-2 py-1 text-sm hover:bg-accent">
                      <input
                        type="checkbox"
                        className="size-4 accent-[var(--primary)]"
                        checked={chosen.has(contact.id)}
                        onChange={(e) =>
                          setChosen((prev) => {
                            const next = new Map(prev);
                            if (e.target.checked) next.set(contact.id, contact.name || formatPhone(contact.phone));
                            else next.delete(contact.id);
                            return next;
                          })
                        }
                      />
                      {contact.name || formatPhone(contact.phone)}
                      {contact.name ? <span className="text-muted-foreground">{formatPhone(contact.phone)}</span> : null}
                    </label>
                  </li>
                ))}
              </ul>
            ) : null}
            {chosen.size ? <p className="text-sm text-muted-foreground">{t.page.chosen(chosen.size)}: {[...chosen.values()].slice(0, 5).join(", ")}</p> : null}
          </div>
        )}
        <DialogFooter>
          <Button variant="outline" onClick={() => onOpenChange(false)}>
            {m.app.close}
          </Button>
          <Button onClick={() => enrol.mutate()} disabled={!body || enrol.isPending} data-testid="enrol-submit">
            {enrol.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : <UserPlus aria-hidden="true" />}
            {t.page.enrolSubmit}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

function StepsTable({ cadence, stats }: { cadence: Cadence; stats: CadenceStats | undefined }) {
  const { m } = useI18n();
  const t = useMessages(cadencesMessages);
  const c = useMessages(campaignsMessages);
  const n = useNumber();
  const steps = [...cadence.steps].sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  return (
    <section aria-label={t.page.steps} className="grid gap-2" data-testid="cadence-steps">
      <h2 className="text-sm font-semibold">{t.page.steps}</h2>
      <div className="overflow-x-auto rounded-md border">
        <table className="w-full text-sm">
          <thead className="text-left text-xs text-muted-foreground">
            <tr>
              <th className="px-3 py-2 font-medium">#</th>
              <th className="px-3 py-2 font-medium">{t.builder.condition}</th>
              <th className="px-3 py-2 text-right font-medium">{t.page.sent}</th>
              <th className="px-3 py-2 text-right font-medium">{t.page.delivered}</th>
              <th className="px-3 py-2 text-right font-medium">{t.page.read}</th>
              <th className="px-3 py-2 text-right font-medium">{t.page.replied}</th>
              <th className="px-3 py-2 text-right font-medium">{t.page.failed}</th>
              <th className="px-3 py-2 text-right font-medium">{t.page.skipped}</th>
            </tr>
          </thead>
          <tbody>
            {steps.map((step, i) => {
              const s = stats?.steps.find((x) => (step.id && x.step_id === step.id) || x.position === (step.position ?? i));
              const wait = delayMinutes(step.delay.value, step.delay.unit);
              return (
                <tr key={step.id ?? i} className="border-t align-top" data-testid="cadence-step-row">
                  <td className="px-3 py-2">
                    <span className="flex items-center gap-2 font-medium">
                      {i + 1}
                      <ChannelGlyph channel={step.channel} />
                      <span className="hidden sm:inline">{m.channels[step.channel] ?? step.channel}</span>
                    </span>
                    <span className="block text-xs text-muted-foreground">
                      {t.builder.wait}: {wait === 0 ? t.builder.now : formatDuration(wait * 60, c.duration)}
                    </span>
                  </td>
                  <td className="px-3 py-2 text-xs">{t.builder.conditions[step.condition] ?? step.condition}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{n(s?.sent)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{n(s?.delivered)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{n(s?.read)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{n(s?.replied)}</td>
                  <td className={cn("px-3 py-2 text-right tabular-nums", s?.failed ? "text-destructive" : "")}>{n(s?.failed)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{n(s?.skipped_condition)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Enrolments({ cadence }: { cadence: Cadence }) {
  const { m, lang } = useI18n();
  const t = useMessages(cadencesMessages);
  const tenantId = useTenantId();
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const state = params.get("enrolments") ?? "";
  const list = useEnrolments(cadence.id, state, cadence.state === "active");
  const stop = useMutation({
    mutationFn: (id: string) => cadencesApi.stopEnrolment(cadence.id, id),
    onSuccess: () => {
      toast.success(t.page.stopped);
      void client.invalidateQueries({ queryKey: ["tenant", tenantId, "cadences"] });
    },
    onError: (error) => toast.error(describeError(error, m)),
  });
  return (
    <section aria-label={t.page.list} className="grid gap-2" data-testid="enrolments">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-sm font-semibold">{t.page.list}</h2>
        <Select
          aria-label={t.page.filter}
          value={state}
          onChange={(e) =>
            setParams(
              (prev) => {
                const next = new URLSearchParams(prev);
                if (e.target.value) next.set("enrolments", e.target.value);
                else next.delete("enrolments");
                return next;
              },
              { replace: true },
            )
          }
          className="w-auto min-w-40"
        >
          <option value="">{t.page.allStates}</option>
          {ENROLMENT_STATES.map((s) => (
            <option key={s} value={s}>
              {t.page.enrolmentStates[s]}
            </option>
          ))}
        </Select>
      </div>
      {list.isPending ? (
        <Skeleton className="h-24" />
      ) : list.isError ? (
        <p role="alert" className="text-sm text-muted-foreground">
          {describeError(list.error, m)}
        </p>
      ) : list.items.length === 0 ? (
        <p className="rounded-md border border-dashed p-4 text-sm text-muted-foreground">{t.page.none}</p>
      ) : (
        <div className="overflow-x-auto rounded-md border">
          <table className="w-full text-sm">
            <thead className="text-left text-xs text-muted-foreground">
              <tr>
                <th className="px-3 py-2 font-medium">{t.page.contact}</th>
                <th className="px-3 py-2 font-medium">{t.page.state}</th>
                <th className="hidden px-3 py-2 font-medium sm:table-cell">{t.page.next}</th>
                <th className="px-3 py-2" />
              </tr>
            </thead>
            <tbody>
              {list.items.map((e) => {
                const label = e.name || formatPhone(e.phone) || e.contact_id.slice(0, 8);
                return (
                  <tr key={e.id} className="border-t" data-testid="enrolment-row" data-state={e.state}>
                    <td className="px-3 py-2">
                      <Link to={`/contacts/${e.contact_id}`} className="font-medium hover:underline">
                        {label}
                      </Link>
                      {e.name && e.phone ? <span className="block text-xs text-muted-foreground">{formatPhone(e.phone)}</span> : null}
                    </td>
                    <td className="px-3 py-2">
                      <span className={cn(e.state === "stopped" && "text-muted-foreground")}>{t.page.enrolmentStates[e.state] ?? e.state}</span>
                      {e.stop_reason ? <span className="block text-xs text-muted-foreground">{t.page.reasons[e.stop_reason] ?? e.stop_reason}</span> : null}
                    </td>
                    <td className="hidden px-3 py-2 text-xs text-muted-foreground sm:table-cell">
                      {e.state === "active" && e.next_position && e.next_run_at ? (
                        <time dateTime={e.next_run_at} title={formatDateTime(new Date(e.next_run_at), lang)}>
                          {t.page.nextAt(e.next_position, formatDateTime(new Date(e.next_run_at), lang))}
                        </time>
                      ) : (
                        "—"
                      )}
                    </td>
                    <td className="px-3 py-2 text-right">
                      {e.state === "active" ? (
                        <Button size="sm" variant="ghost" onClick={() => stop.mutate(e.id)} disabled={stop.isPending} aria-label={t.page.stopOneLabel(label)}>
                          <X aria-hidden="true" />
                          {t.page.stopOne}
                        </Button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {list.hasNextPage ? (
            <div className="border-t p-2 text-center">
              <Button variant="ghost" size="sm" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                {t.loadMore}
              </Button>
            </div>
          ) : null}
        </div>
      )}
    </section>
  );
}

/** A cadence: activate or pause, enrol contacts, per-step results, and the enrolment list. */
export default function CadencePage() {
  const { m, lang } = useI18n();
  const t = useMessages(cadencesMessages);
  const tenantId = useTenantId();
  const client = useQueryClient();
  const navigate = useNavigate();
  const { cadenceId = "" } = useParams();
  const cadence = useCadence(cadenceId);
  const stats = useCadenceStats(cadenceId, cadence.data?.state === "active");
  const action = useCadenceAction(cadenceId);
  const [dialog, setDialog] = useState<"enrol" | "delete" | null>(null);
  const n = useNumber();
  const remove = useMutation({
    mutationFn: () => cadencesApi.remove(cadenceId),
    onSuccess: () => {
      toast.success(t.page.deleted);
      void client.invalidateQueries({ queryKey: cadenceKeys.list(tenantId) });
      navigate("/campaigns/cadences");
    },
    onError: (error) => toast.error(describeError(error, m)),
  });

  if (cadence.isPending) return <PageSkeleton />;
  const c = cadence.data;
  if (cadence.isError || !c) {
    const notFound = cadence.error instanceof ApiError && cadence.error.status === 404;
    return (
      <div className="h-full overflow-y-auto">
        <EmptyState icon={CircleAlert} title={notFound ? t.page.notFound : t.loadError}>
          {notFound ? null : describeError(cadence.error, m)}
        </EmptyState>
      </div>
    );
  }
  const counts = stats.data?.enrolments ?? c.enrolments;
  const reasons = Object.entries(stats.data?.stop_reasons ?? {}).filter(([, v]) => v > 0);
  const run = (a: "activate" | "pause") =>
    action.mutate(a, {
      onSuccess: () => toast.success(a === "activate" ? t.page.activated : t.page.paused),
      onError: (error) => toast.error(describeError(error, m)),
    });

  return (
    <div className="h-full overflow-y-auto" data-testid="cadence-page" data-state={c.state}>
      <div className="mx-auto grid grid-cols-1 max-w-5xl gap-6 px-4 py-6 sm:px-6">
        <header className="grid gap-3">
          <Link to="/campaigns/cadences" className="flex w-fit items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
            <ArrowLeft className="size-4" aria-hidden="true" />
            {t.builder.back}
          </Link>
          <div className="flex flex-wrap items-start justify-between gap-3">
            <div className="grid min-w-0 grid-cols-1 gap-1">
              <h1 className="break-words text-2xl font-semibold">{c.name}</h1>
              <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-muted-foreground">
                <StateBadge state={c.state} label={t.states[c.state] ?? c.state} className="text-foreground" />
                <span>{t.steps(c.steps.length)}</span>
                <span>{t.created(formatDateTime(new Date(c.created_at), lang))}</span>
              </p>
            </div>
            <div className="flex flex-wrap gap-2">
              {c.state === "active" ? (
                <Button size="sm" variant="outline" onClick={() => run("pause")} disabled={action.isPending} data-testid="cadence-pause">
                  <Pause aria-hidden="true" />
                  {t.page.pause}
                </Button>
              ) : (
                <Button size="sm" onClick={() => run("activate")} disabled={action.isPending || c.steps.length === 0} data-testid="cadence-activate">
                  {action.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : <Play aria-hidden="true" />}
                  {c.state === "paused" ? t.page.resume : t.page.activate}
                </Button>
              )}
              <Button size="sm" variant="outline" onClick={() => setDialog("enrol")} data-testid="cadence-enrol">
                <UserPlus aria-hidden="true" />
                {t.page.enrol}
              </Button>
              <Button asChild size="sm" variant="ghost">
                <Link to={`/campaigns/cadences/${c.id}/edit`}>
                  <Pencil aria-hidden="true" />
                  {t.page.edit}
                </Link>
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setDialog("delete")}>
                <Trash2 aria-hidden="true" />
                {t.page.delete}
              </Button>
            </div>
          </div>
          {c.state !== "active" && counts.active > 0 ? <p className="rounded-md border border-warning/50 p-3 text-sm">{t.page.inactiveHint}</p> : null}
        </header>

        <section aria-label={t.page.enrolments} className="grid gap-3">
          <ul className="grid grid-cols-2 gap-2 sm:grid-cols-4" data-testid="enrolment-counts">
            {(["total", "active", "completed", "stopped"] as const).map((key) => (
              <li key={key} className="grid gap-0.5 rounded-lg border p-3" data-testid={`enrolments-${key}`} data-value={counts[key]}>
                <span className="text-xs font-medium text-muted-foreground">{t.page.byState[key]}</span>
                <span className="text-xl font-semibold tabular-nums">{n(counts[key])}</span>
              </li>
            ))}
          </ul>
          {reasons.length ? (
            <p className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
              <span className="font-medium">{t.page.stopReasons}:</span>
              {reasons.map(([reason, count]) => (
                <span key={reason} className="text-muted-foreground">
                  {t.page.reasons[reason] ?? reason}: <span className="tabular-nums text-foreground">{n(count)}</span>
                </span>
              ))}
            </p>
          ) : null}
        </section>

        <StepsTable cadence={c} stats={stats.data} />
        <Enrolments cadence={c} />
      </div>
      {dialog === "enrol" ? <EnrolDialog cadence={c} open onOpenChange={(o) => !o && setDialog(null)} /> : null}
      <Dialog open={dialog === "delete"} onOpenChange={(o) => !o && setDialog(null)}>
        <DialogContent closeLabel={m.app.close}>
          <DialogHeader>
            <DialogTitle>{t.page.deleteTitle}</DialogTitle>
            <DialogDescription>{t.page.deleteBody}</DialogDescription>
          </DialogHeader>
          <DialogFooter>
            <Button variant="outline" onClick={() => setDialog(null)}>
              {m.app.close}
            </Button>
            <Button variant="destructive" onClick={() => remove.mutate()} disabled={remove.isPending}>
              {t.page.delete}
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </div>
  );
}
