/**
 * The cadence builder's state, checks and body (and back from a saved cadence). Pure. A step's content is
 * edited with the campaign form's ContentEditor, so it is kept as a VariantDraft.
 */
import type { BusinessHours, Cadence, CadenceInput, CadenceStep, DelayUnit, StepCondition } from "@/api/cadences";
import type { CampaignChannel } from "@/api/campaigns";
import type { OutboundContent, TemplateContent } from "@/api/inbox";
import { extractVariables, missingVariables } from "@/features/inbox/templates";
import { ALL_DAYS, DEFAULT_TIMEZONE, isTimeOfDay, newVariant, TEXT_LIMIT, variantContent, type VariantDraft } from "@/features/campaigns/wizard";

export interface StepDraft {
  /** Stable key for React while steps move. */
  key: string;
  id?: string;
  channel: CampaignChannel;
  senderId: string;
  content: VariantDraft;
  delayValue: number;
  delayUnit: DelayUnit;
  condition: StepCondition;
  stageId: string;
}

export interface CadenceState {
  name: string;
  steps: StepDraft[];
  businessHours: boolean;
  timezone: string;
  days: number[];
  start: string;
  end: string;
  stopOnReply: boolean;
  stopOnStageChange: boolean;
  enrolOnStage: boolean;
  enrolStageId: string;
  duplicateWindowHours: number;
}

let counter = 0;
const nextKey = () => `s${Date.now().toString(36)}${(counter++).toString(36)}`;

export function newStep(previous?: StepDraft): StepDraft {
  const channel = previous?.channel ?? "whatsapp_meta";
  return {
    key: nextKey(),
    channel,
    senderId: previous?.senderId ?? "",
    content: newVariant("1", 100, channel === "whatsapp_meta" ? "template" : "text"),
    delayValue: previous ? 1 : 0,
    delayUnit: previous ? "days" : "minutes",
    condition: previous ? "no_reply" : "always",
    stageId: "",
  };
}

/** An empty cadence whose business hours are in `timezone` (the tenant's). */
export function initialCadence(timezone = DEFAULT_TIMEZONE): CadenceState {
  return {
    name: "",
    steps: [newStep()],
    businessHours: true,
    timezone,
    days: [0, 1, 2, 3, 4],
    start: "09:00",
    end: "18:00",
    stopOnReply: true,
    stopOnStageChange: false,
    enrolOnStage: false,
    enrolStageId: "",
    duplicateWindowHours: 24,
  };
}

/** Moves step `from` to `to` (clamped); the first step's delay counts from enrolment. */
export function moveStep(steps: StepDraft[], from: number, to: number): StepDraft[] {
  if (from === to || from < 0 || from >= steps.length) return steps;
  const target = Math.max(0, Math.min(steps.length - 1, to));
  const out = [...steps];
  const [moved] = out.splice(from, 1);
  out.splice(target, 0, moved!);
  return out;
}

/** Minutes a delay stands for (to show the timeline: "dia 3, 09:00"). */
export function delayMinutes(value: number, unit: DelayUnit): number {
  return unit === "days" ? value * 1440 : unit === "hours" ? value * 60 : unit === "seconds" ? value / 60 : value;
}

/** When each step runs after enrolment, at the earliest (business hours may push it later), in minutes. */
export function cumulativeMinutes(steps: Pick<StepDraft, "delayValue" | "delayUnit">[]): number[] {
  let total = 0;
  return steps.map((s) => (total += delayMinutes(Number.isFinite(s.delayValue) ? s.delayValue : 0, s.delayUnit)));
}

export type CadenceError =
  | "required"
  | "tooLong"
  | "noSteps"
  | "delay"
  | "stage"
  | "pickTemplate"
  | "templateValues"
  | "hours"
  | "pickDays"
  | "window"
  | "firstCondition";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The service's bounds (a year at most).
const MAX_DELAY: Record<DelayUnit, number> = { seconds: 86_400, minutes: 525_600, hours: 8_760, days: 365 };

export function validateCadence(s: CadenceState): Record<string, CadenceError> {
  const e: Record<string, CadenceError> = {};
  if (!s.name.trim()) e.name = "required";
  else if (s.name.trim().length > 120) e.name = "tooLong";
  if (s.steps.length === 0) e.steps = "noSteps";
  s.steps.forEach((step, i) => {
    const d = step.delayValue;
    if (!Number.isInteger(d) || d < 0 || d > MAX_DELAY[step.delayUnit]) e[`steps.${i}.delay`] = "delay";
    if (step.condition === "stage_is" && !UUID.test(step.stageId.trim())) e[`steps.${i}.stage`] = "stage";
    if (i === 0 && (step.condition === "no_reply" || step.condition === "not_read")) e[`steps.${i}.condition`] = "firstCondition";
    const c = step.content;
    if (c.kind === "text") {
      if (!c.text.trim()) e[`steps.${i}.text`] = "required";
      else if (c.text.length > TEXT_LIMIT[step.channel]) e[`steps.${i}.text`] = "tooLong";
    } else if (!c.template && !c.pendingTemplate) e[`steps.${i}.template`] = "pickTemplate";
    else if (c.template && missingVariables(extractVariables(c.template), c.templateValues).length) e[`steps.${i}.template`] = "templateValues";
  });
  if (s.businessHours) {
    if (!isTimeOfDay(s.start) || !isTimeOfDay(s.end) || s.start >= s.end) e.hours = "hours";
    if (s.days.length === 0) e.days = "pickDays";
  }
  if (s.enrolOnStage && !UUID.test(s.enrolStageId.trim())) e.enrolStageId = "stage";
  if (!Number.isInteger(s.duplicateWindowHours) || s.duplicateWindowHours < 0 || s.duplicateWindowHours > 720) e.duplicateWindowHours = "window";
  return e;
}

export function toCadenceInput(s: CadenceState): CadenceInput {
  const businessHours: BusinessHours | null = s.businessHours
    ? { timezone: s.timezone, days: [...s.days].sort((a, b) => a - b), start: s.start, end: s.end }
    : null;
  return {
    name: s.name.trim(),
    // Steps go without their ids: the service replaces the whole list (StepIn has no id).
    steps: s.steps.map((step): CadenceStep => ({
      channel: step.channel,
      content: variantContent(step.content) ?? { kind: "text", body: "" },
      delay: { value: step.delayValue, unit: step.delayUnit },
      condition: step.condition,
      stage_id: step.condition === "stage_is" ? step.stageId.trim() : null,
      channel_account_id: step.senderId || null,
    })),
    business_hours: businessHours,
    stop_on_reply: s.stopOnReply,
    stop_on_stage_change: s.stopOnStageChange,
    enrol_on_stage_id: s.enrolOnStage ? s.enrolStageId.trim() : null,
    duplicate_window_hours: s.duplicateWindowHours,
  };
}

function draftOf(content: OutboundContent): VariantDraft {
  if ((content as { kind?: string }).kind === "template") return { ...newVariant("1", 100, "template"), pendingTemplate: content as TemplateContent };
  return { ...newVariant("1", 100, "text"), text: (content as { body?: string }).body ?? "" };
}

export function fromCadence(c: Cadence): CadenceState {
  const base = initialCadence();
  const steps = [...(c.steps ?? [])].sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  return {
    name: c.name,
    steps: steps.map((step) => ({
      key: nextKey(),
      id: step.id,
      channel: step.channel,
      senderId: step.channel_account_id ?? "",
      content: draftOf(step.content),
      delayValue: step.delay?.value ?? 0,
      delayUnit: step.delay?.unit ?? "minutes",
      condition: step.condition ?? "always",
      stageId: step.stage_id ?? "",
    })),
    businessHours: Boolean(c.business_hours),
    timezone: c.business_hours?.timezone ?? base.timezone,
    days: c.business_hours?.days?.length ? [...c.business_hours.days] : c.business_hours ? [...ALL_DAYS] : base.days,
    start: c.business_hours?.start ?? base.start,
    end: c.business_hours?.end ?? base.end,
    stopOnReply: c.stop_on_reply ?? true,
    stopOnStageChange: c.stop_on_stage_change ?? false,
    enrolOnStage: Boolean(c.enrol_on_stage_id),
    enrolStageId: c.enrol_on_stage_id ?? "",
    duplicateWindowHours: c.duplicate_window_hours ?? base.duplicateWindowHours,
  };
}
