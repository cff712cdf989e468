/**
 * The campaign form's state, its checks per step and its translation to the API's body (and back, to edit a
 * draft). Pure: the wizard's components only hold a WizardState and show the errors found here.
 */
import type {
  Audience,
  AudienceFilter,
  AudienceUpload,
  Campaign,
  CampaignChannel,
  CampaignInput,
  CampaignMessage,
  Schedule,
} from "@/api/campaigns";
import type { OutboundContent, TemplateContent } from "@/api/inbox";
import { buildTemplateContent, extractVariables, missingVariables, type TemplateLike } from "@/features/inbox/templates";
import { DEFAULT_TIMEZONE } from "@/lib/timezones";
import { isFieldKey } from "./variables";

export { DEFAULT_TIMEZONE };

export const STEPS = ["channel", "audience", "message", "schedule", "review"] as const;
export type Step = (typeof STEPS)[number];

export const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];
export const MAX_VARIANTS = 4;
export const TEXT_LIMIT: Record<CampaignChannel, number> = { whatsapp_meta: 4096, whatsapp_qr: 4096, sms: 1600 };

export interface VariantDraft {
  name: string;
  /** Share of the audience in percent (A/B split). */
  weight: number;
  kind: "text" | "template";
  text: string;
  /** The chosen WhatsApp template (its components, to know the variables), and where it came from. */
  template: (TemplateLike & { id?: string }) | null;
  /** Slot key ("body.1") → value; values may hold {{variables}}. */
  templateValues: Record<string, string>;
  /** A template named by a draft being edited, matched to the number's templates when they load. */
  pendingTemplate?: TemplateContent | null;
}

export interface FieldRule {
  key: string;
  value: string;
}

export interface WizardState {
  name: string;
  channel: CampaignChannel;
  senderIds: string[];
  audienceMode: "filter" | "segment" | "upload" | "all";
  tagsMatch: "any" | "all";
  tagsInclude: string[];
  tagsExclude: string[];
  fields: FieldRule[];
  stageIds: string;
  activity: "any" | "active" | "inactive";
  activityDays: number;
  segmentId: string;
  upload: AudienceUpload | null;
  abTest: boolean;
  variants: VariantDraft[];
  startMode: "now" | "later";
  /** "YYYY-MM-DDTHH:mm" in `timezone`. */
  startLocal: string;
  timezone: string;
  quietHours: boolean;
  quietStart: string;
  quietEnd: string;
  days: number[];
  messagesPerSecond: number;
  duplicateWindowHours: number;
  maxAttempts: number;
}

export function newVariant(name: string, weight: number, kind: VariantDraft["kind"] = "text"): VariantDraft {
  return { name, weight, kind, text: "", template: null, templateValues: {}, pendingTemplate: null };
}

/** A new campaign's form; its schedule in `timezone` (the tenant's). */
export function initialState(timezone = DEFAULT_TIMEZONE): WizardState {
  return {
    name: "",
    channel: "whatsapp_meta",
    senderIds: [],
    audienceMode: "filter",
    tagsMatch: "any",
    tagsInclude: [],
    tagsExclude: [],
    fields: [],
    stageIds: "",
    activity: "any",
    activityDays: 30,
    segmentId: "",
    upload: null,
    abTest: false,
    variants: [newVariant("A", 100, "template")],
    startMode: "now",
    startLocal: "",
    timezone,
    quietHours: false,
    quietStart: "21:00",
    quietEnd: "08:00",
    days: [...ALL_DAYS],
    messagesPerSecond: 20,
    duplicateWindowHours: 24,
    maxAttempts: 3,
  };
}

/** The kinds of content a channel sends: WhatsApp Cloud prefers templates (outside the 24-hour window). */
export function contentKinds(channel: CampaignChannel): VariantDraft["kind"][] {
  return channel === "whatsapp_meta" ? ["template", "text"] : ["text"];
}

/** Changing the channel keeps the texts but drops what the new channel cannot send and the chosen senders. */
export function withChannel(state: WizardState, channel: CampaignChannel): WizardState {
  if (channel === state.channel) return state;
  const kinds = contentKinds(channel);
  return {
    ...state,
    channel,
    senderIds: [],
    variants: state.variants.map((v) => (kinds.includes(v.kind) ? v : { ...v, kind: kinds[0]!, template: null, templateValues: {} })),
  };
}

/** Even split of 100 % over n variants (the first ones take the remainder). */
export function evenWeights(n: number): number[] {
  const base = Math.floor(100 / n);
  return Array.from({ length: n }, (_, i) => base + (i < 100 - base * n ? 1 : 0));
}

const LETTERS = "ABCDEFGH";

/** A/B on: a second variant (B) is added and the split made even; off: only the first is kept, at 100 %. */
export function withAbTest(state: WizardState, on: boolean): WizardState {
  if (!on) return { ...state, abTest: false, variants: [{ ...state.variants[0]!, weight: 100 }] };
  const variants = state.variants.length >= 2 ? state.variants : [...state.variants, newVariant("B", 50, state.variants[0]!.kind)];
  const weights = evenWeights(variants.length);
  return { ...state, abTest: true, variants: variants.map((v, i) => ({ ...v, weight: weights[i]! })) };
}

export function addVariant(state: WizardState): WizardState {
  if (state.variants.length >= MAX_VARIANTS) return state;
  const used = new Set(state.variants.map((v) => v.name));
  const name = [...LETTERS].find((l) => !used.has(l)) ?? `V${state.variants.length + 1}`;
  const variants = [...state.variants, newVariant(name, 0, state.variants[0]!.kind)];
  const weights = evenWeights(variants.length);
  return { ...state, variants: variants.map((v, i) => ({ ...v, weight: weights[i]! })) };
}

export function removeVariant(state: WizardState, index: number): WizardState {
  if (state.variants.length <= 2) return withAbTest({ ...state, variants: state.variants.filter((_, i) => i !== index) }, false);
  const variants = state.variants.filter((_, i) => i !== index);
  const weights = evenWeights(variants.length);
  return { ...state, variants: variants.map((v, i) => ({ ...v, weight: weights[i]! })) };
}

// --- time zones -----------------------------------------------------------------------------------------

const partsFormat = new Map<string, Intl.DateTimeFormat>();

/** Minutes `timeZone` is ahead of UTC at `date` (-180 for São Paulo). */
export function tzOffsetMinutes(date: Date, timeZone: string): number {
  let format = partsFormat.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partsFormat.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
}

/** A wall-clock time "YYYY-MM-DDTHH:mm" in `timeZone` as a UTC instant (null when it cannot be read). */
export function zonedToUtc(local: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const guess = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  try {
    // Twice: the offset at the guess may differ from the offset at the answer (a DST change in between).
    let utc = guess - tzOffsetMinutes(new Date(guess), timeZone) * 60_000;
    utc = guess - tzOffsetMinutes(new Date(utc), timeZone) * 60_000;
    return new Date(utc);
  } catch {
    return null;
  }
}

/** The wall-clock time of an instant in `timeZone`, as a datetime-local input wants it. */
export function utcToZonedLocal(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const shifted = new Date(date.getTime() + tzOffsetMinutes(date, timeZone) * 60_000);
  return shifted.toISOString().slice(0, 16);
}

export function isTimeOfDay(value: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(value);
}

// --- checks ---------------------------------------------------------------------------------------------

export type ErrorCode =
  | "required"
  | "tooLong"
  | "pickSender"
  | "pickCriterion"
  | "fieldKey"
  | "pickSegment"
  | "uploadFirst"
  | "uploadEmpty"
  | "stageIds"
  | "days"
  | "pickTemplate"
  | "templateValues"
  | "weights"
  | "variantNames"
  | "startInPast"
  | "quietHours"
  | "pickDays"
  | "mps"
  | "window"
  | "attempts";

export type Errors = Record<string, ErrorCode>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function stageIdList(value: string): string[] {
  return value
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function int(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** The errors of one step, keyed by the field's name (the form puts each under its control). */
export function validateStep(state: WizardState, step: Step, now = new Date()): Errors {
  const e: Errors = {};
  if (step === "channel") {
    if (!state.name.trim()) e.name = "required";
    else if (state.name.trim().length > 120) e.name = "tooLong";
    if (state.channel !== "whatsapp_qr" && state.senderIds.length === 0) e.senders = "pickSender";
  }
  if (step === "audience") {
    if (state.audienceMode === "segment" && !state.segmentId) e.segment = "pickSegment";
    if (state.audienceMode === "upload") {
      if (!state.upload) e.upload = "uploadFirst";
      else if (state.upload.matched === 0) e.upload = "uploadEmpty";
    }
    if (state.audienceMode === "filter") {
      state.fields.forEach((f, i) => {
        if (!isFieldKey(f.key.trim())) e[`fields.${i}.key`] = "fieldKey";
        if (!f.value.trim()) e[`fields.${i}.value`] = "required";
      });
      const stages = stageIdList(state.stageIds);
      if (stages.some((s) => !UUID.test(s))) e.stageIds = "stageIds";
      if (state.activity !== "any" && !int(state.activityDays, 1, 3650)) e.activityDays = "days";
      const any =
        state.tagsInclude.length > 0 || state.tagsExclude.length > 0 || state.fields.length > 0 || stages.length > 0 || state.activity !== "any";
      if (!any) e.criteria = "pickCriterion";
    }
  }
  if (step === "message") {
    const names = new Set<string>();
    state.variants.forEach((v, i) => {
      if (v.kind === "text") {
        if (!v.text.trim()) e[`variants.${i}.text`] = "required";
        else if (v.text.length > TEXT_LIMIT[state.channel]) e[`variants.${i}.text`] = "tooLong";
      } else if (!v.template) {
        e[`variants.${i}.template`] = "pickTemplate";
      } else if (missingVariables(extractVariables(v.template), v.templateValues).length) {
        e[`variants.${i}.template`] = "templateValues";
      }
      if (state.abTest && (!v.name.trim() || names.has(v.name.trim()))) e[`variants.${i}.name`] = "variantNames";
      names.add(v.name.trim());
    });
    if (state.abTest) {
      const total = state.variants.reduce((sum, v) => sum + v.weight, 0);
      if (total !== 100 || state.variants.some((v) => !int(v.weight, 1, 99))) e.weights = "weights";
    }
  }
  if (step === "schedule") {
    if (state.startMode === "later") {
      const at = zonedToUtc(state.startLocal, state.timezone);
      if (!at) e.startLocal = "required";
      else if (at.getTime() < now.getTime() - 60_000) e.startLocal = "startInPast";
    }
    if (state.quietHours && (!isTimeOfDay(state.quietStart) || !isTimeOfDay(state.quietEnd) || state.quietStart === state.quietEnd)) {
      e.quietHours = "quietHours";
    }
    if (state.days.length === 0) e.days = "pickDays";
    if (!int(state.messagesPerSecond, 1, 1000)) e.messagesPerSecond = "mps";
    if (!int(state.duplicateWindowHours, 0, 720)) e.duplicateWindowHours = "window";
    if (!int(state.maxAttempts, 1, 10)) e.maxAttempts = "attempts";
  }
  if (step === "review") {
    for (const s of STEPS.slice(0, -1)) Object.assign(e, validateStep(state, s, now));
  }
  return e;
}

/** The first step with an error (where "Revisar" sends the user back to), or null. */
export function firstInvalidStep(state: WizardState, now = new Date()): Step | null {
  return STEPS.slice(0, -1).find((s) => Object.keys(validateStep(state, s, now)).length > 0) ?? null;
}

// --- to and from the API --------------------------------------------------------------------------------

/**
 * The audience as the API takes it ("all" is the empty filter: every contact). `last_inbound_within_days`
 * keeps the live count's key stable while the form is open.
 */
export function toAudience(state: WizardState, now = new Date()): Audience {
  if (state.audienceMode === "all") return { filter: {} };
  if (state.audienceMode === "segment") return { segment_id: state.segmentId };
  if (state.audienceMode === "upload") return { upload_id: state.upload?.upload_id ?? "" };
  const filter: AudienceFilter = {};
  if (state.tagsInclude.length) filter[state.tagsMatch === "all" ? "tags_all" : "tags_any"] = [...state.tagsInclude];
  if (state.tagsExclude.length) filter.tags_none = [...state.tagsExclude];
  const fields = state.fields.filter((f) => f.key.trim() && f.value.trim());
  if (fields.length) filter.custom_fields = Object.fromEntries(fields.map((f) => [f.key.trim(), f.value.trim()]));
  const stages = stageIdList(state.stageIds);
  if (stages.length) filter.lead_stage_ids = stages;
  if (state.activity === "active") filter.last_inbound_within_days = state.activityDays;
  if (state.activity === "inactive") {
    // Rounded to the minute: the count's query key does not change at every render.
    const before = new Date(Math.floor(now.getTime() / 60_000) * 60_000 - state.activityDays * 86_400_000);
    filter.last_inbound_before = before.toISOString();
  }
  return { filter };
}

export function variantContent(v: VariantDraft): OutboundContent | null {
  if (v.kind === "text") return { kind: "text", body: v.text };
  if (!v.template) return v.pendingTemplate ?? null;
  return buildTemplateContent(v.template, v.templateValues);
}

export function toMessage(state: WizardState): CampaignMessage {
  const variants = state.abTest ? state.variants : state.variants.slice(0, 1);
  return {
    variants: variants.flatMap((v) => {
      const content = variantContent(v);
      return content ? [{ name: v.name.trim() || "A", weight: state.abTest ? v.weight : 100, content }] : [];
    }),
  };
}

export function toSchedule(state: WizardState): Schedule {
  const at = state.startMode === "later" ? zonedToUtc(state.startLocal, state.timezone) : null;
  return {
    start_at: at ? at.toISOString() : null,
    timezone: state.timezone,
    quiet_hours: state.quietHours ? { start: state.quietStart, end: state.quietEnd } : null,
    days: state.days.length === 7 ? null : [...state.days].sort((a, b) => a - b),
  };
}

export function toInput(state: WizardState, now = new Date()): CampaignInput {
  return {
    name: state.name.trim(),
    channel: state.channel,
    audience: toAudience(state, now),
    message: toMessage(state),
    schedule: toSchedule(state),
    messages_per_second: state.messagesPerSecond,
    channel_account_ids: [...state.senderIds],
    duplicate_window_hours: state.duplicateWindowHours,
    max_attempts: state.maxAttempts,
  };
}

/**
 * The values of a template's slots from a TemplateContent (the inverse of buildTemplateContent): header and
 * body parameters in slot order, button parameters by the button's index.
 */
export function valuesFromContent(template: TemplateLike, content: TemplateContent): Record<string, string> {
  const slots = extractVariables(template);
  const values: Record<string, string> = {};
  for (const part of ["header", "body"] as const) {
    const own = slots.filter((s) => s.component === part);
    const params = content.components.find((c) => c.type === part)?.parameters ?? [];
    own.forEach((slot, i) => {
      const named = params.find((p) => p.parameter_name === slot.name);
      const p = named ?? params[i];
      if (p) values[slot.key] = (p.media?.link ?? p.text ?? "") as string;
    });
  }
  for (const slot of slots.filter((s) => s.component === "button")) {
    const c = content.components.find((x) => x.type === "button" && x.index === slot.buttonIndex);
    const own = slots.filter((s) => s.component === "button" && s.buttonIndex === slot.buttonIndex);
    const p = c?.parameters?.[own.indexOf(slot)];
    if (p) values[slot.key] = p.text ?? "";
  }
  return values;
}

/**
 * Relative weights (the API's 1, 1 or 3, 1) as whole percents adding up to 100, the remainder on the first
 * versions (the form shows percents).
 */
export function asPercents(weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + (b > 0 ? b : 0), 0);
  if (weights.length === 0) return [];
  if (!(sum > 0)) return evenWeights(weights.length);
  const raw = weights.map((w) => (Math.max(0, w) * 100) / sum);
  const out = raw.map((r) => Math.max(1, Math.floor(r)));
  let left = 100 - out.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0]);
  for (let k = 0; left > 0; k = (k + 1) % out.length, left--) out[order[k]![1]]! += 1;
  return out;
}

/** A draft's form state (to go on editing it); a draft saved without a zone gets `timezone` (the tenant's). */
export function fromCampaign(c: Campaign, now = new Date(), timezone = DEFAULT_TIMEZONE): WizardState {
  const zone = c.schedule?.timezone || timezone;
  const base = initialState(zone);
  const f = c.audience?.filter ?? null;
  const percents = asPercents((c.message?.variants ?? []).map((v) => v.weight ?? 1));
  const variants: VariantDraft[] = (c.message?.variants ?? []).map((raw, i) => {
    const v = { ...raw, weight: percents[i] ?? 100 };
    const content = v.content as OutboundContent & { kind?: string };
    if (content.kind === "template") {
      return { ...newVariant(v.name, v.weight, "template"), pendingTemplate: content as TemplateContent };
    }
    return { ...newVariant(v.name, v.weight, "text"), text: (content as { body?: string }).body ?? "" };
  });
  let activity: WizardState["activity"] = "any";
  let activityDays = base.activityDays;
  if (f?.last_inbound_within_days) {
    activity = "active";
    activityDays = f.last_inbound_within_days;
  } else if (f?.last_inbound_before) {
    activity = "inactive";
    activityDays = Math.max(1, Math.round((now.getTime() - new Date(f.last_inbound_before).getTime()) / 86_400_000));
  } else if (f?.last_inbound_after) {
    activity = "active";
    activityDays = Math.max(1, Math.round((now.getTime() - new Date(f.last_inbound_after).getTime()) / 86_400_000));
  }
  return {
    ...base,
    name: c.name,
    channel: c.channel,
    senderIds: [...(c.channel_account_ids ?? [])],
    audienceMode: c.audience?.segment_id
      ? "segment"
      : c.audience?.upload_id
        ? "upload"
        : f && Object.values(f).every((v) => v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0))
          ? "all"
          : "filter",
    tagsMatch: f?.tags_all?.length ? "all" : "any",
    tagsInclude: [...(f?.tags_all ?? f?.tags_any ?? [])],
    tagsExclude: [...(f?.tags_none ?? [])],
    fields: Object.entries(f?.custom_fields ?? {}).map(([key, value]) => ({ key, value: String(value) })),
    stageIds: (f?.lead_stage_ids ?? []).join(", "),
    activity,
    activityDays,
    segmentId: c.audience?.segment_id ?? "",
    // The upload's report is read again by the audience step (matched -1: not known yet).
    upload: c.audience?.upload_id ? { upload_id: c.audience.upload_id, rows: 0, matched: -1, unmatched: [] } : null,
    abTest: variants.length > 1,
    variants: variants.length ? variants : base.variants,
    startMode: c.schedule?.start_at ? "later" : "now",
    startLocal: c.schedule?.start_at ? utcToZonedLocal(c.schedule.start_at, zone) : "",
    quietHours: Boolean(c.schedule?.quiet_hours),
    quietStart: c.schedule?.quiet_hours?.start ?? base.quietStart,
    quietEnd: c.schedule?.quiet_hours?.end ?? base.quietEnd,
    days: c.schedule?.days?.length ? [...c.schedule.days] : [...ALL_DAYS],
    messagesPerSecond: c.messages_per_second || base.messagesPerSecond,
    duplicateWindowHours: c.duplicate_window_hours ?? base.duplicateWindowHours,
    maxAttempts: c.max_attempts ?? base.maxAttempts,
  };
}

/** Seconds to send `recipients` at `perSecond` (quiet hours and sending days not counted). */
export function estimatedSeconds(recipients: number, perSecond: number): number {
  if (recipients <= 0 || perSecond <= 0) return 0;
  return Math.ceil(recipients / perSecond);
}

/**
 * A number typed for the test send, in E.164: "+55 11 98765-4321" as is; a Brazilian national number
 * ("(11) 98765-4321", 10 or 11 digits) gets +55; null when it cannot be a phone number.
 */
export function toE164(input: string, defaultCountry = "55"): string | null {
  const trimmed = input.trim();
  const digits = trimmed.replace(/\D/g, "");
  let e164: string;
  if (trimmed.startsWith("+")) e164 = `+${digits}`;
  else if (trimmed.startsWith("00")) e164 = `+${digits.slice(2)}`;
  else if (digits.length === 10 || digits.length === 11) e164 = `+${defaultCountry}${digits.replace(/^0/, "")}`;
  else e164 = `+${digits}`;
  return /^\+[1-9]\d{7,14}$/.test(e164) ? e164 : null;
}
