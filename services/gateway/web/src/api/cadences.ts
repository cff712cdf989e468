/**
 * Cadences (campaigns service, /api/v1/cadences): drip sequences of steps across channels, their enrolments
 * and per-step statistics. Generated SDK and types underneath; a step's content is narrowed to the
 * OutboundContent it was written as.
 */
import type { CampaignChannel, Page } from "./campaigns";
import { unwrap } from "./client";
import * as sdk from "./generated/sdk.gen";
import type {
  BusinessHoursIn,
  CadenceIn,
  CadenceOut,
  CadenceStats as GeneratedCadenceStats,
  Condition,
  DelayUnit as GeneratedDelayUnit,
  EnrolIn,
  EnrolmentCounts as GeneratedEnrolmentCounts,
  EnrolmentOut,
  StepOut,
  StepStats as GeneratedStepStats,
} from "./generated/types.gen";
import type { OutboundContent } from "./inbox";

export type DelayUnit = GeneratedDelayUnit;
export type StepCondition = Condition;
export const STEP_CONDITIONS: StepCondition[] = ["always", "no_reply", "not_read", "stage_is"];
/** The units the builder offers (the API also takes seconds, for tests). */
export const DELAY_UNITS: DelayUnit[] = ["minutes", "hours", "days"];

/** One step as the builder writes it (StepIn, content narrowed). */
export interface CadenceStep {
  channel: CampaignChannel;
  content: OutboundContent;
  delay: { value: number; unit: DelayUnit };
  condition: StepCondition;
  stage_id?: string | null;
  channel_account_id?: string | null;
}

/** A stored step (StepOut). */
export type SavedStep = Omit<StepOut, "content" | "channel" | "delay"> & {
  content: OutboundContent;
  channel: CampaignChannel;
  delay: { value: number; unit: DelayUnit };
};

/** `days` 0 = Monday … 6 = Sunday; start/end "HH:MM" in `timezone`. */
export type BusinessHours = Required<BusinessHoursIn>;
export type CadenceState = CadenceOut["state"];
/** Enrolments by state (every field is always sent). */
export type EnrolmentCounts = Required<GeneratedEnrolmentCounts>;

/** POST /cadences (PATCH takes any part). */
export interface CadenceInput {
  name: string;
  steps: CadenceStep[];
  business_hours: BusinessHours | null;
  stop_on_reply: boolean;
  stop_on_stage_change: boolean;
  enrol_on_stage_id: string | null;
  duplicate_window_hours: number;
}

export type Cadence = Omit<CadenceOut, "steps" | "enrolments"> & { steps: SavedStep[]; enrolments: EnrolmentCounts };

export type EnrolmentState = EnrolmentOut["state"];
export const ENROLMENT_STATES: EnrolmentState[] = ["active", "completed", "stopped"];
export type Enrolment = EnrolmentOut;
export type StepStats = GeneratedStepStats;
export type CadenceStats = Omit<GeneratedCadenceStats, "enrolments"> & { enrolments: EnrolmentCounts };
export type EnrolBody = EnrolIn;

const path = (id: string) => ({ cadence_id: id });
const asCadence = (c: CadenceOut) => c as unknown as Cadence;
const asBody = (b: unknown) => b as CadenceIn;

export const cadencesApi = {
  list: async (params: { cursor?: string | null; limit?: number }, signal?: AbortSignal): Promise<Page<Cadence>> => {
    const page = await unwrap(
      sdk.listCadencesApiV1CadencesGet({ query: { limit: params.limit ?? 50, ...(params.cursor ? { cursor: params.cursor } : {}) }, signal }),
    );
    return { ...page, items: page.items.map(asCadence) };
  },
  get: async (id: string, signal?: AbortSignal) => asCadence(await unwrap(sdk.getCadenceApiV1CadencesCadenceIdGet({ path: path(id), signal }))),
  create: async (body: CadenceInput) => asCadence(await unwrap(sdk.createCadenceApiV1CadencesPost({ body: asBody(body) }))),
  update: async (id: string, body: Partial<CadenceInput>) =>
    asCadence(await unwrap(sdk.patchCadenceApiV1CadencesCadenceIdPatch({ path: path(id), body: asBody(body) }))),
  remove: (id: string) => unwrap(sdk.deleteCadenceApiV1CadencesCadenceIdDelete({ path: path(id) })),
  activate: async (id: string) => asCadence(await unwrap(sdk.activateApiV1CadencesCadenceIdActivatePost({ path: path(id) }))),
  pause: async (id: string) => asCadence(await unwrap(sdk.pauseApiV1CadencesCadenceIdPausePost({ path: path(id) }))),
  enrol: (id: string, body: EnrolBody) => unwrap(sdk.enrolApiV1CadencesCadenceIdEnrolmentsPost({ path: path(id), body })),
  enrolments: (id: string, params: { state?: string; cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
    unwrap(
      sdk.listEnrolmentsApiV1CadencesCadenceIdEnrolmentsGet({
        path: path(id),
        query: {
          limit: params.limit ?? 50,
          ...(params.state ? { state: params.state as EnrolmentState } : {}),
          ...(params.cursor ? { cursor: params.cursor } : {}),
        },
        signal,
      }),
    ),
  /** Stops one enrolment by hand (reason manual); answers the stopped enrolment. */
  stopEnrolment: (id: string, enrolmentId: string) =>
    unwrap(sdk.stopEnrolmentApiV1CadencesCadenceIdEnrolmentsEnrolmentIdDelete({ path: { cadence_id: id, enrolment_id: enrolmentId } })),
  stats: async (id: string, signal?: AbortSignal) => (await unwrap(sdk.statsApiV1CadencesCadenceIdStatsGet({ path: path(id), signal }))) as CadenceStats,
};

export const cadenceKeys = {
  all: (tenantId: string) => ["tenant", tenantId, "cadences"] as const,
  list: (tenantId: string) => ["tenant", tenantId, "cadences", "list"] as const,
  detail: (tenantId: string, id: string) => ["tenant", tenantId, "cadences", "detail", id] as const,
  stats: (tenantId: string, id: string) => ["tenant", tenantId, "cadences", "stats", id] as const,
  enrolments: (tenantId: string, id: string, state: string) => ["tenant", tenantId, "cadences", "enrolments", id, state] as const,
};
