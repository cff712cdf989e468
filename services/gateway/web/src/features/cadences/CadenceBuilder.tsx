import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ArrowDown, ArrowLeft, ArrowUp, CircleAlert, LoaderCircle, Plus, Save, Trash2 } from "lucide-react";
import { type ReactNode, useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { toast } from "sonner";
import { cadenceKeys, cadencesApi, type CadenceInput, DELAY_UNITS, type DelayUnit, STEP_CONDITIONS, type StepCondition } from "@/api/cadences";
import type { CampaignChannel } from "@/api/campaigns";
import { problemToForm } from "@/api/problems";
import { useTenantId, useTenantTimeZone } from "@/app/session";
import { EmptyState } from "@/components/EmptyState";
import { PageSkeleton } from "@/components/PageSkeleton";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { ContentEditor } from "@/features/campaigns/ContentEditor";
import { formatDuration } from "@/features/campaigns/format";
import { campaignsMessages } from "@/features/campaigns/i18n";
import { useSenders } from "@/features/campaigns/StepChannel";
import { useTimeZones } from "@/features/campaigns/StepSchedule";
import { contentKinds } from "@/features/campaigns/wizard";
import { usePhoneNumbers } from "@/features/inbox/hooks";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatPhone } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { cn } from "@/lib/utils";
import { type CadenceState, cumulativeMinutes, fromCadence, initialCadence, moveStep, newStep, type StepDraft, toCadenceInput, validateCadence } from "./cadence";
import { useCadence } from "./hooks";
import { cadencesMessages } from "./i18n";

const CHANNELS: CampaignChannel[] = ["whatsapp_meta", "sms", "whatsapp_qr"];

function StepCard({
  step,
  index,
  count,
  at,
  locked,
  error,
  onChange,
  onMove,
  onRemove,
}: {
  step: StepDraft;
  index: number;
  count: number;
  at: number;
  locked: boolean;
  error: (field: string) => string | undefined;
  onChange: (step: StepDraft) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
}) {
  const { m } = useI18n();
  const t = useMessages(cadencesMessages);
  const c = useMessages(campaignsMessages);
  const senders = useSenders(step.channel);
  const numbers = usePhoneNumbers();
  const numberId = step.channel === "whatsapp_meta" ? step.senderId || numbers.data?.[0]?.id : undefined;
  const n = index + 1;
  return (
    <li className="relative grid gap-4 rounded-xl border p-4" data-testid="cadence-step">
      <div className="flex flex-wrap items-center gap-2">
        <span className="flex size-7 items-center justify-center rounded-full bg-primary text-sm font-semibold text-primary-foreground" aria-hidden="true">
          {n}
        </span>
        <h3 className="font-semibold">{t.builder.step(n)}</h3>
        <span className="text-xs text-muted-foreground">{t.builder.timeline(at === 0 ? t.builder.now : formatDuration(at * 60, c.duration))}</span>
        {locked ? null : (
          <span className="ml-auto flex gap-1">
            <Button type="button" variant="ghost" size="icon-sm" disabled={index === 0} onClick={() => onMove(index - 1)} aria-label={t.builder.moveUp(n)}>
              <ArrowUp aria-hidden="true" />
            </Button>
            <Button type="button" variant="ghost" size="icon-sm" disabled={index === count - 1} onClick={() => onMove(index + 1)} aria-label={t.builder.moveDown(n)}>
              <ArrowDown aria-hidden="true" />
            </Button>
            <Button type="button" variant="ghost" size="icon-sm" disabled={count === 1} onClick={onRemove} aria-label={t.builder.removeStep(n)}>
              <Trash2 aria-hidden="true" />
            </Button>
          </span>
        )}
      </div>
      <fieldset disabled={locked} className="grid gap-4">
        <div className="grid items-start gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <Field label={t.builder.wait} error={error(`steps.${index}.delay`)}>
            {(ids) => (
              <div className="flex gap-2">
                <Input
                  {...ids}
                  type="number"
                  min={0}
                  value={Number.isFinite(step.delayValue) ? step.delayValue : ""}
                  onChange={(e) => onChange({ ...step, delayValue: e.target.valueAsNumber })}
                  className="w-20"
                  aria-label={t.builder.waitLabel(n)}
                  data-testid="step-delay"
                />
                <Select value={step.delayUnit} onChange={(e) => onChange({ ...step, delayUnit: e.target.value as DelayUnit })} aria-label={t.builder.waitLabel(n)} data-testid="step-unit">
                  {DELAY_UNITS.map((u) => (
                    <option key={u} value={u}>
                      {t.builder.units[u]}
                    </option>
                  ))}
                </Select>
              </div>
            )}
          </Field>
          <Field label={t.builder.condition} error={error(`steps.${index}.condition`)}>
            {(ids) => (
              <Select {...ids} value={step.condition} onChange={(e) => onChange({ ...step, condition: e.target.value as StepCondition })} data-testid="step-condition">
                {STEP_CONDITIONS.map((cond) => (
                  <option key={cond} value={cond}>
                    {t.builder.conditions[cond]}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label={t.builder.channel}>
            {(ids) => (
              <Select
                {...ids}
                value={step.channel}
                onChange={(e) => {
                  const channel = e.target.value as CampaignChannel;
                  const kinds = contentKinds(channel);
                  const content = kinds.includes(step.content.kind) ? step.content : { ...step.content, kind: kinds[0]!, template: null, templateValues: {} };
                  onChange({ ...step, channel, senderId: "", content });
                }}
                data-testid="step-channel"
              >
                {CHANNELS.map((ch) => (
                  <option key={ch} value={ch}>
                    {c.channelStep.channels[ch]}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label={t.builder.sender}>
            {(ids) => (
              <Select {...ids} value={step.senderId} onChange={(e) => onChange({ ...step, senderId: e.target.value })}>
                <option value="">{t.builder.defaultSender}</option>
                {senders.data.map((s) => (
                  <option key={s.id} value={s.id}>
                    {formatPhone(s.phone)}
                    {s.label ? ` (${s.label})` : ""}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        </div>
        {step.condition === "stage_is" ? (
          <Field label={t.builder.stageId} error={error(`steps.${index}.stage`)} className="max-w-md">
            {(ids) => <Input {...ids} value={step.stageId} onChange={(e) => onChange({ ...step, stageId: e.target.value })} spellCheck={false} />}
          </Field>
        ) : null}
        <ContentEditor
          channel={step.channel}
          numberId={numberId}
          draft={step.content}
          onChange={(content) => onChange({ ...step, content })}
          errors={{ text: error(`steps.${index}.text`), template: error(`steps.${index}.template`) }}
        />
      </fieldset>
      <span className="sr-only">{m.channels[step.channel]}</span>
    </li>
  );
}

function Section({ title, children, hint }: { title: string; children: ReactNode; hint?: string }) {
  return (
    <section aria-label={title} className="grid gap-3 rounded-xl border p-4">
      <div className="grid gap-0.5">
        <h2 className="font-semibold">{title}</h2>
        {hint ? <p className="text-xs text-muted-foreground">{hint}</p> : null}
      </div>
      {children}
    </section>
  );
}

/** The cadence builder: ordered steps (channel, content, wait, condition), business hours, stop rules, auto-enrolment. */
export default function CadenceBuilder() {
  const { m } = useI18n();
  const t = useMessages(cadencesMessages);
  const c = useMessages(campaignsMessages);
  const tenantId = useTenantId();
  const client = useQueryClient();
  const navigate = useNavigate();
  const { cadenceId } = useParams();
  const existing = useCadence(cadenceId);
  const zone = useTenantTimeZone();
  const [state, setState] = useState<CadenceState>(() => initialCadence(zone));
  const [loaded, setLoaded] = useState(!cadenceId);
  const [tried, setTried] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const zones = useTimeZones(state.timezone);
  const locked = Boolean(existing.data && existing.data.enrolments?.total > 0);

  useEffect(() => {
    if (!loaded && existing.data) {
      setState(fromCadence(existing.data));
      setLoaded(true);
    }
  }, [existing.data, loaded]);

  const errors = validateCadence(state);
  const error = (field: string) => serverErrors[field] ?? (tried && errors[field] ? t.errors[errors[field]!] : undefined);
  const set = (patch: Partial<CadenceState>) => setState((s) => ({ ...s, ...patch }));
  const at = cumulativeMinutes(state.steps);

  const save = useMutation({
    mutationFn: () => {
      const body: Partial<CadenceInput> = toCadenceInput(state);
      if (cadenceId && locked) delete body.steps;
      return cadenceId ? cadencesApi.update(cadenceId, body) : cadencesApi.create(body as CadenceInput);
    },
    onSuccess: (cadence) => {
      client.setQueryData(cadenceKeys.detail(tenantId, cadence.id), cadence);
      void client.invalidateQueries({ queryKey: cadenceKeys.list(tenantId) });
      toast.success(cadenceId ? t.builder.saved : t.builder.created);
      navigate(`/campaigns/cadences/${cadence.id}`);
    },
    onError: (err) => {
      const mapped = problemToForm(err, ["name", "duplicate_window_hours"] as const);
      setServerErrors(mapped.fields);
      toast.error(mapped.toast ?? describeError(err, m));
    },
  });

  const submit = () => {
    setTried(true);
    if (Object.keys(errors).length) {
      toast.error(t.builder.fixFirst);
      requestAnimationFrame(() => document.querySelector<HTMLElement>("[aria-invalid=true], [data-field-error]")?.scrollIntoView({ block: "center" }));
      return;
    }
    save.mutate();
  };

  if (cadenceId && existing.isPending) return <PageSkeleton />;
  if (cadenceId && existing.isError) {
    return (
      <div className="h-full overflow-y-auto">
        <EmptyState icon={CircleAlert} title={t.page.notFound}>
          {describeError(existing.error, m)}
        </EmptyState>
      </div>
    );
  }

  return (
    <div className="flex h-full flex-col">
      <div className="min-h-0 flex-1 overflow-y-auto">
        <div className="mx-auto grid grid-cols-1 max-w-5xl gap-5 px-4 py-6 sm:px-6">
          <header className="grid gap-3">
            <Link to={cadenceId ? `/campaigns/cadences/${cadenceId}` : "/campaigns/cadences"} className="flex w-fit items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
              <ArrowLeft className="size-4" aria-hidden="true" />
              {t.builder.back}
            </Link>
            <h1 className="text-2xl font-semibold">{cadenceId ? t.builder.editTitle : t.builder.newTitle}</h1>
          </header>
          <Field label={t.builder.name} hint={t.builder.nameHint} error={error("name")} className="max-w-xl">
            {(ids) => <Input {...ids} value={state.name} onChange={(e) => set({ name: e.target.value })} maxLength={200} data-testid="cadence-name" autoFocus={!cadenceId} />}
          </Field>

          <Section title={t.builder.steps} hint={t.builder.stepsHint}>
            {locked ? <p className="rounded-md border border-warning/50 p-3 text-sm">{t.builder.lockedSteps}</p> : null}
            <ol className="grid gap-3">
              {state.steps.map((step, i) => (
                <StepCard
                  key={step.key}
                  step={step}
                  index={i}
                  count={state.steps.length}
                  at={at[i] ?? 0}
                  locked={locked}
                  error={error}
                  onChange={(next) => setState((s) => ({ ...s, steps: s.steps.map((x) => (x.key === step.key ? next : x)) }))}
                  onMove={(to) => setState((s) => ({ ...s, steps: moveStep(s.steps, i, to) }))}
                  onRemove={() => setState((s) => ({ ...s, steps: s.steps.filter((x) => x.key !== step.key) }))}
                />
              ))}
            </ol>
            {error("steps") ? <p className="text-sm font-medium text-destructive">{error("steps")}</p> : null}
            {locked ? null : (
              <Button type="button" variant="outline" className="w-fit" onClick={() => setState((s) => ({ ...s, steps: [...s.steps, newStep(s.steps[s.steps.length - 1])] }))} data-testid="add-step">
                <Plus aria-hidden="true" />
                {t.builder.addStep}
              </Button>
            )}
          </Section>

          <Section title={t.builder.hours} hint={t.builder.hoursHint}>
            <label className="flex items-center gap-3 text-sm">
              <Switch checked={state.businessHours} onCheckedChange={(on) => set({ businessHours: on })} />
              <span className="font-medium">{t.builder.hoursOn}</span>
            </label>
            {state.businessHours ? (
              <div className="grid gap-3">
                <div className="flex flex-wrap gap-1.5" role="group" aria-label={t.builder.days}>
                  {c.schedule.dayNames.map((label, day) => {
                    const on = state.days.includes(day);
                    return (
                      <button
                        key={day}
                        type="button"
                        aria-pressed={on}
                        aria-label={c.schedule.dayLong[day]}
                        onClick={() => set({ days: on ? state.days.filter((d) => d !== day) : [...state.days, day].sort((a, b) => a - b) })}
                        className={cn(
                          "h-9 min-w-12 rounded-md border px-2 text-sm font-medium transition-colors",
                          on ? "border-primary bg-primary text-primary-foreground" : "text-muted-foreground hover:bg-accent",
                        )}
                      >
                        {label}
                      </button>
                    );
                  })}
                </div>
                <div className="flex flex-wrap items-center gap-2 text-sm">
                  <span>{t.builder.from}</span>
                  <Input type="time" value={state.start} onChange={(e) => set({ start: e.target.value })} className="w-32" aria-label={t.builder.from} />
                  <span>{t.builder.to}</span>
                  <Input type="time" value={state.end} onChange={(e) => set({ end: e.target.value })} className="w-32" aria-label={t.builder.to} />
                  <Select value={state.timezone} onChange={(e) => set({ timezone: e.target.value })} aria-label={t.builder.timezone} className="w-auto min-w-56">
                    {zones.map((z) => (
                      <option key={z} value={z}>
                        {z.replaceAll("_", " ")}
                      </option>
                    ))}
                  </Select>
                </div>
                {error("hours") || error("days") ? (
                  <p className="text-xs font-medium text-destructive" data-field-error>
                    {error("hours") ?? error("days")}
                  </p>
                ) : null}
              </div>
            ) : null}
          </Section>

          <div className="grid gap-5 md:grid-cols-2">
            <Section title={t.builder.stop}>
              <label className="flex items-center gap-3 text-sm">
                <Switch checked={state.stopOnReply} onCheckedChange={(on) => set({ stopOnReply: on })} data-testid="stop-on-reply" />
                {t.builder.stopOnReply}
              </label>
              <label className="flex items-center gap-3 text-sm">
                <Switch checked={state.stopOnStageChange} onCheckedChange={(on) => set({ stopOnStageChange: on })} />
                {t.builder.stopOnStage}
              </label>
              <label className="flex items-center gap-3 text-sm text-muted-foreground">
                <Switch checked disabled onCheckedChange={() => undefined} />
                {t.builder.stopOnOptOut}
              </label>
            </Section>
            <Section title={t.builder.enrol}>
              <label className="flex items-center gap-3 text-sm">
                <Switch checked={state.enrolOnStage} onCheckedChange={(on) => set({ enrolOnStage: on })} />
                {t.builder.enrolOnStage}
              </label>
              {state.enrolOnStage ? (
                <Field label={t.builder.enrolStageId} error={error("enrolStageId")}>
                  {(ids) => <Input {...ids} value={state.enrolStageId} onChange={(e) => set({ enrolStageId: e.target.value })} spellCheck={false} />}
                </Field>
              ) : null}
              <Field label={t.builder.duplicateWindow} error={error("duplicateWindowHours")}>
                {(ids) => (
                  <Input
                    {...ids}
                    type="number"
                    min={0}
                    max={720}
                    value={Number.isFinite(state.duplicateWindowHours) ? state.duplicateWindowHours : ""}
                    onChange={(e) => set({ duplicateWindowHours: e.target.valueAsNumber })}
                    className="w-28"
                  />
                )}
              </Field>
            </Section>
          </div>
        </div>
      </div>
      <footer className="shrink-0 border-t bg-background">
        <div className="mx-auto flex max-w-5xl justify-end gap-2 px-4 py-3 sm:px-6">
          <Button type="button" onClick={submit} disabled={save.isPending} data-testid="cadence-save">
            {save.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : <Save aria-hidden="true" />}
            {save.isPending ? t.builder.saving : t.builder.save}
          </Button>
        </div>
      </footer>
    </div>
  );
}
