import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft, ArrowRight, Check, CircleAlert, LoaderCircle, Rocket, Save } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { toast } from "sonner";
import { type Campaign, campaignKeys, campaignsApi } from "@/api/campaigns";
import { problemToForm } from "@/api/problems";
import { useTenantId, useTenantTimeZone } from "@/app/session";
import { EmptyState } from "@/components/EmptyState";
import { PageSkeleton } from "@/components/PageSkeleton";
import { Button } from "@/components/ui/button";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { describeError } from "@/lib/errors";
import { cn } from "@/lib/utils";
import { useCampaign } from "./hooks";
import { campaignsMessages } from "./i18n";
import { StepAudience } from "./StepAudience";
import { StepChannel } from "./StepChannel";
import { StepMessage } from "./StepMessage";
import type { SetState } from "./stepProps";
import { StepReview } from "./StepReview";
import { StepSchedule } from "./StepSchedule";
import { type Errors, firstInvalidStep, fromCampaign, initialState, type Step, STEPS, toInput, validateStep, type WizardState } from "./wizard";

/** The step list at the top: done steps are links back, the current one is marked, later ones wait. */
function Stepper({ current, reached, onGo }: { current: number; reached: number; onGo: (i: number) => void }) {
  const t = useMessages(campaignsMessages);
  return (
    <nav aria-label={t.wizard.stepsLabel}>
      <ol className="flex items-center gap-1 overflow-x-auto sm:gap-2">
        {STEPS.map((step, i) => {
          const done = i < current;
          const here = i === current;
          return (
            <li key={step} className="flex shrink-0 items-center gap-1 sm:gap-2">
              <button
                type="button"
                onClick={() => onGo(i)}
                disabled={i > reached}
                aria-current={here ? "step" : undefined}
                className={cn(
                  "flex items-center gap-2 rounded-full px-2 py-1 text-sm font-medium transition-colors disabled:cursor-not-allowed",
                  here ? "text-foreground" : "text-muted-foreground hover:text-foreground disabled:hover:text-muted-foreground",
                )}
                data-testid={`wizard-step-${step}`}
              >
                <span
                  className={cn(
                    "flex size-6 items-center justify-center rounded-full border text-xs",
                    here && "border-primary bg-primary text-primary-foreground",
                    done && "border-primary text-primary",
                  )}
                  aria-hidden="true"
                >
                  {done ? <Check className="size-3.5" /> : i + 1}
                </span>
                <span className={cn(here ? "inline" : "hidden md:inline")}>{t.wizard.steps[step]}</span>
              </button>
              {i < STEPS.length - 1 ? <span aria-hidden="true" className="h-px w-3 bg-border sm:w-6" /> : null}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

const SERVER_FIELDS = ["name", "messages_per_second", "duplicate_window_hours", "max_attempts"] as const;

/**
 * The step-by-step campaign form (channel → audience → message → schedule → review). A draft is saved on
 * demand (a test send needs one; "Salvar rascunho") and re-opened with ?draft=<id>; launching saves, then
 * launches, then opens the live page.
 */
export default function CampaignWizard() {
  const { m } = useI18n();
  const t = useMessages(campaignsMessages);
  const tenantId = useTenantId();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const draftParam = params.get("draft") ?? undefined;
  const [draftId, setDraftId] = useState<string | undefined>(draftParam);
  const existing = useCampaign(draftParam);
  const zone = useTenantTimeZone();
  const [state, setState] = useState<WizardState>(() => initialState(zone));
  const [loaded, setLoaded] = useState(!draftParam);
  const [current, setCurrent] = useState(0);
  const [reached, setReached] = useState(draftParam ? STEPS.length - 1 : 0);
  const [shown, setShown] = useState<Set<Step>>(new Set());
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const topRef = useRef<HTMLDivElement>(null);
  const step = STEPS[current]!;

  useEffect(() => {
    if (!loaded && existing.data && existing.data.state === "draft") {
      setState(fromCampaign(existing.data, new Date(), zone));
      setLoaded(true);
    }
  }, [existing.data, loaded, zone]);

  const set: SetState = useCallback((update) => setState((s) => update(s)), []);
  const errors: Errors = validateStep(state, step);
  const error = (field: string): string | undefined => {
    if (serverErrors[field]) return serverErrors[field];
    if (!shown.has(step) && step !== "review") return undefined;
    const code = errors[field];
    return code ? t.errors[code] : undefined;
  };

  const save = useMutation({
    mutationFn: async (): Promise<Campaign> => {
      const body = toInput(state);
      return draftId ? campaignsApi.update(draftId, body) : campaignsApi.create(body);
    },
    onSuccess: (campaign) => {
      setServerErrors({});
      client.setQueryData(campaignKeys.detail(tenantId, campaign.id), campaign);
      void client.invalidateQueries({ queryKey: campaignKeys.lists(tenantId) });
      if (!draftId) {
        setDraftId(campaign.id);
        setParams((prev) => {
          const next = new URLSearchParams(prev);
          next.set("draft", campaign.id);
          return next;
        }, { replace: true });
      }
    },
    onError: (err) => {
      const mapped = problemToForm(err, SERVER_FIELDS);
      setServerErrors(mapped.fields);
      toast.error(mapped.toast ?? describeError(err, m));
    },
  });

  const ensureDraft = useCallback(async () => (await save.mutateAsync()).id, [save]);

  const launch = useMutation({
    mutationFn: async () => {
      const campaign = await save.mutateAsync();
      return campaignsApi.launch(campaign.id);
    },
    onSuccess: (campaign) => {
      client.setQueryData(campaignKeys.detail(tenantId, campaign.id), campaign);
      void client.invalidateQueries({ queryKey: campaignKeys.lists(tenantId) });
      toast.success(campaign.state === "scheduled" ? t.wizard.scheduled : t.wizard.launched);
      navigate(`/campaigns/${campaign.id}`);
    },
    onError: (err) => {
      if (!save.isError) toast.error(describeError(err, m));
    },
  });

  const goTo = (i: number) => {
    setCurrent(i);
    setReached((r) => Math.max(r, i));
    topRef.current?.scrollIntoView({ block: "start" });
  };
  const focusFirstError = () =>
    requestAnimationFrame(() => {
      const el = document.querySelector<HTMLElement>("[aria-invalid=true], [data-field-error]");
      el?.scrollIntoView({ block: "center" });
      if (el?.matches("input, select, textarea")) el.focus();
    });

  const next = () => {
    if (Object.keys(errors).length) {
      setShown((s) => new Set(s).add(step));
      toast.error(t.wizard.fixFirst);
      focusFirstError();
      return;
    }
    goTo(current + 1);
  };

  const submit = () => {
    const bad = firstInvalidStep(state);
    if (bad) {
      setShown((s) => new Set(s).add(bad));
      goTo(STEPS.indexOf(bad));
      toast.error(t.wizard.fixFirst);
      focusFirstError();
      return;
    }
    launch.mutate();
  };

  if (draftParam && existing.isPending) return <PageSkeleton />;
  if (draftParam && (existing.isError || (existing.data && existing.data.state !== "draft"))) {
    return (
      <div className="h-full overflow-y-auto">
        <EmptyState icon={CircleAlert} title={existing.isError ? t.wizard.loadError : t.wizard.notDraft}>
          {existing.isError ? describeError(existing.error, m) : null}
          <div className="mt-4 flex justify-center gap-2">
            <Button asChild variant="outline" size="sm">
              <Link to="/campaigns">{t.live.back}</Link>
            </Button>
            {existing.data ? (
              <Button asChild size="sm">
                <Link to={`/campaigns/${existing.data.id}`}>{t.wizard.openLive}</Link>
              </Button>
            ) : null}
          </div>
        </EmptyState>
      </div>
    );
  }

  const busy = save.isPending || launch.isPending;
  const stepProps = { state, set, error };

  return (
    <div className="flex h-full flex-col">
      <div className="min-h-0 flex-1 overflow-y-auto">
        <div ref={topRef} className="mx-auto grid grid-cols-1 max-w-6xl gap-5 px-4 py-6 sm:px-6">
          <header className="grid gap-3">
            <Link to="/campaigns" className="flex w-fit items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
              <ArrowLeft className="size-4" aria-hidden="true" />
              {t.live.back}
            </Link>
            <div className="flex flex-wrap items-baseline justify-between gap-2">
              <h1 className="text-2xl font-semibold">{draftParam ? t.wizard.editTitle : t.wizard.newTitle}</h1>
              <span className="text-sm text-muted-foreground">{t.wizard.step(current + 1, STEPS.length)}</span>
            </div>
            <Stepper current={current} reached={reached} onGo={goTo} />
          </header>
          <section aria-label={t.wizard.steps[step]} data-testid={`step-${step}`}>
            {step === "channel" ? <StepChannel {...stepProps} /> : null}
            {step === "audience" ? <StepAudience {...stepProps} /> : null}
            {step === "message" ? <StepMessage {...stepProps} ensureDraft={ensureDraft} /> : null}
            {step === "schedule" ? <StepSchedule {...stepProps} /> : null}
            {step === "review" ? <StepReview state={state} goTo={(s) => goTo(STEPS.indexOf(s))} /> : null}
          </section>
        </div>
      </div>
      <footer className="shrink-0 border-t bg-background">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-2 px-4 py-3 sm:px-6">
          {current > 0 ? (
            <Button type="button" variant="ghost" onClick={() => goTo(current - 1)} disabled={busy}>
              <ArrowLeft aria-hidden="true" />
              {t.wizard.back}
            </Button>
          ) : null}
          <Button type="button" variant="outline" className="ml-auto" onClick={() => save.mutate(undefined, { onSuccess: () => toast.success(t.wizard.saved) })} disabled={busy || !state.name.trim()} data-testid="save-draft">
            {save.isPending && !launch.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : <Save aria-hidden="true" />}
            <span className="hidden sm:inline">{t.wizard.saveDraft}</span>
            <span className="sr-only sm:hidden">{t.wizard.saveDraft}</span>
          </Button>
          {step === "review" ? (
            <Button type="button" onClick={submit} disabled={busy} data-testid="launch-campaign">
              {launch.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : <Rocket aria-hidden="true" />}
              {launch.isPending ? t.wizard.launching : state.startMode === "later" ? t.wizard.schedule : t.wizard.launch}
            </Button>
          ) : (
            <Button type="button" onClick={next} disabled={busy} data-testid="wizard-next">
              {t.wizard.next}
              <ArrowRight aria-hidden="true" />
            </Button>
          )}
        </div>
      </footer>
    </div>
  );
}
