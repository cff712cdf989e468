/**
 * Campaigns (campaigns service, /api/v1/campaigns): drafts, launch and control, live statistics, recipients,
 * audience counts, previews, SMS estimates, test sends, saved segments and CSV audiences. Generated SDK
 * underneath; the types are the generated ones, narrowed where the API stores free-form JSON (a campaign's
 * audience, message and schedule come back as objects: here they have the shape they were written with).
 */
import { unwrap } from "./client";
import * as sdk from "./generated/sdk.gen";
import type {
  AudienceFilter as GeneratedAudienceFilter,
  AudienceSpec,
  CampaignCreate,
  CampaignOut,
  CampaignState as GeneratedCampaignState,
  CampaignStats as GeneratedCampaignStats,
  CountOut,
  EstimateOut,
  Point,
  PreviewItem as GeneratedPreviewItem,
  PreviewOut,
  RecipientCounts as GeneratedRecipientCounts,
  RecipientOut,
  RenderedVariant as GeneratedRenderedVariant,
  Schedule as GeneratedSchedule,
  SegmentOut,
  SnapshotOut,
  UploadOut,
} from "./generated/types.gen";
import type { OutboundContent } from "./inbox";

export type CampaignState = GeneratedCampaignState;
export const CAMPAIGN_STATES: CampaignState[] = ["draft", "scheduled", "running", "paused", "completed", "cancelled"];
export const FINAL_STATES: CampaignState[] = ["completed", "cancelled"];

/** The channels a campaign can send on. */
export type CampaignChannel = CampaignCreate["channel"];

/**
 * How many recipients of a campaign stand in each state (a recipient counts in exactly one; `replied` apart).
 * The document marks fields with defaults optional; the service always sends every one.
 */
export type RecipientCounts = Required<GeneratedRecipientCounts>;
export type AudienceFilter = GeneratedAudienceFilter;
/** Exactly one of segment_id, filter ({} is every contact) or upload_id. */
export type Audience = AudienceSpec;

/** One version of the message; `weight` is its share of the audience (relative; the form uses percents). */
export interface Variant {
  name: string;
  weight: number;
  /** An OutboundContent whose text (or template parameters' text) may hold {{variables}}. */
  content: OutboundContent;
}

export interface CampaignMessage {
  variants: Variant[];
}

/** When sending may happen. `days`: 0 = Monday … 6 = Sunday; null every day. */
export type Schedule = GeneratedSchedule;
export type Snapshot = SnapshotOut;

/** A campaign, its audience, message and schedule in the shape they were written with. */
export type Campaign = Omit<CampaignOut, "audience" | "message" | "schedule" | "channel" | "counts"> & {
  channel: CampaignChannel;
  counts: RecipientCounts;
  audience: Audience;
  message: CampaignMessage;
  schedule: Schedule;
};

/** POST /campaigns (PATCH takes any part of it). */
export interface CampaignInput {
  name: string;
  channel: CampaignChannel;
  audience: Audience;
  message: CampaignMessage;
  schedule: Schedule;
  messages_per_second: number;
  channel_account_ids: string[];
  duplicate_window_hours: number;
  max_attempts: number;
}

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

/** GET /campaigns/{id}/stats; rates are null while nothing reached the channel (live events recompute them). */
export type CampaignStats = Omit<GeneratedCampaignStats, "delivery_rate" | "read_rate" | "reply_rate" | "counts" | "series" | "variants"> & {
  counts: RecipientCounts;
  delivery_rate: number | null;
  read_rate: number | null;
  reply_rate: number | null;
  series: SeriesPoint[];
  variants: { name: string; counts: RecipientCounts }[];
};
/** Recipients that reached each state during the bucket starting at `t` (bucket_s wide). */
export type SeriesPoint = Required<Point>;

export type RecipientState = "pending" | "queued" | "sent" | "delivered" | "read" | "failed" | "unknown" | "skipped" | "cancelled";
export const RECIPIENT_STATES: RecipientState[] = ["pending", "queued", "sent", "delivered", "read", "failed", "unknown", "skipped", "cancelled"];
export type Recipient = RecipientOut;

export type AudienceCount = CountOut;
export type PreviewItem = GeneratedPreviewItem;
export type RenderedVariant = GeneratedRenderedVariant;
export type PreviewResult = PreviewOut;
export type Estimate = EstimateOut;
export type Segment = SegmentOut;
/** An uploaded CSV audience's report (a draft being edited knows only its id until the report is read again). */
export type AudienceUpload = Pick<UploadOut, "upload_id" | "rows" | "matched" | "unmatched"> & Partial<UploadOut>;

// --- calls ----------------------------------------------------------------------------------------------

const path = (id: string) => ({ campaign_id: id });
const asCampaign = (c: CampaignOut) => c as unknown as Campaign;
const asBody = (b: unknown) => b as CampaignCreate;

export const campaignsApi = {
  list: async (params: { state?: string; q?: string; cursor?: string | null; limit?: number }, signal?: AbortSignal): Promise<Page<Campaign>> => {
    const page = await unwrap(
      sdk.listCampaignsApiV1CampaignsGet({
        query: {
          limit: params.limit ?? 50,
          ...(params.state ? { state: params.state as CampaignState } : {}),
          ...(params.q ? { q: params.q } : {}),
          ...(params.cursor ? { cursor: params.cursor } : {}),
        },
        signal,
      }),
    );
    return { ...page, items: page.items.map(asCampaign) };
  },
  get: async (id: string, signal?: AbortSignal) => asCampaign(await unwrap(sdk.getCampaignApiV1CampaignsCampaignIdGet({ path: path(id), signal }))),
  create: async (body: CampaignInput) => asCampaign(await unwrap(sdk.createCampaignApiV1CampaignsPost({ body: asBody(body) }))),
  update: async (id: string, body: Partial<CampaignInput>) =>
    asCampaign(await unwrap(sdk.patchCampaignApiV1CampaignsCampaignIdPatch({ path: path(id), body: asBody(body) }))),
  remove: (id: string) => unwrap(sdk.deleteCampaignApiV1CampaignsCampaignIdDelete({ path: path(id) })),
  launch: async (id: string) => asCampaign(await unwrap(sdk.launchCampaignApiV1CampaignsCampaignIdLaunchPost({ path: path(id) }))),
  pause: async (id: string) => asCampaign(await unwrap(sdk.pauseCampaignApiV1CampaignsCampaignIdPausePost({ path: path(id) }))),
  resume: async (id: string) => asCampaign(await unwrap(sdk.resumeCampaignApiV1CampaignsCampaignIdResumePost({ path: path(id) }))),
  cancel: async (id: string) => asCampaign(await unwrap(sdk.cancelCampaignApiV1CampaignsCampaignIdCancelPost({ path: path(id) }))),
  stats: async (id: string, signal?: AbortSignal) =>
    (await unwrap(sdk.campaignStatsApiV1CampaignsCampaignIdStatsGet({ path: path(id), signal }))) as CampaignStats,
  recipients: (id: string, params: { state?: string; cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
    unwrap(
      sdk.listRecipientsApiV1CampaignsCampaignIdRecipientsGet({
        path: path(id),
        query: {
          limit: params.limit ?? 50,
          ...(params.state ? { state: params.state as RecipientState } : {}),
          ...(params.cursor ? { cursor: params.cursor } : {}),
        },
        signal,
      }),
    ),
  count: (audience: Audience, channel: CampaignChannel, signal?: AbortSignal) =>
    unwrap(sdk.countAudienceApiV1CampaignsAudienceCountPost({ body: { audience, channel }, signal })),
  preview: (body: { channel: CampaignChannel; message: CampaignMessage; contact_id?: string; audience?: Audience }, signal?: AbortSignal) =>
    unwrap(sdk.previewMessageApiV1CampaignsPreviewPost({ body: body as never, signal })),
  estimate: (body: { channel: CampaignChannel; message: CampaignMessage; audience: Audience }, signal?: AbortSignal) =>
    unwrap(sdk.estimateCampaignApiV1CampaignsEstimatePost({ body: body as never, signal })),
  testSend: (id: string, body: { to: string; contact_id?: string; variant?: string }) =>
    unwrap(sdk.sendTestMessageApiV1CampaignsCampaignIdTestSendPost({ path: path(id), body })),
  segments: (signal?: AbortSignal) => unwrap(sdk.listSegmentsApiV1CampaignsSegmentsGet({ query: { limit: 200 }, signal })),
  createSegment: (body: { name: string; filter: AudienceFilter; description?: string }) => unwrap(sdk.createSegmentApiV1CampaignsSegmentsPost({ body })),
  removeSegment: (id: string) => unwrap(sdk.deleteSegmentApiV1CampaignsSegmentsSegmentIdDelete({ path: { segment_id: id } })),
  getUpload: (id: string, signal?: AbortSignal) => unwrap(sdk.getUploadApiV1CampaignsUploadsUploadIdGet({ path: { upload_id: id }, signal })),
  /** A CSV with a phone column (found from the header); its file name names the upload. */
  upload: (file: File) => unwrap(sdk.uploadAudienceApiV1CampaignsUploadsPost({ body: { file } })),
};

/** Query keys: under ["tenant", id] like every tenant's data (dropped on a tenant switch). */
export const campaignKeys = {
  all: (tenantId: string) => ["tenant", tenantId, "campaigns"] as const,
  lists: (tenantId: string) => ["tenant", tenantId, "campaigns", "list"] as const,
  list: (tenantId: string, filters: { state: string; q: string }) => ["tenant", tenantId, "campaigns", "list", filters] as const,
  detail: (tenantId: string, id: string) => ["tenant", tenantId, "campaigns", "detail", id] as const,
  stats: (tenantId: string, id: string) => ["tenant", tenantId, "campaigns", "stats", id] as const,
  recipients: (tenantId: string, id: string, state: string) => ["tenant", tenantId, "campaigns", "recipients", id, state] as const,
  /** Every recipients list of one campaign (whatever the state filter). */
  recipientsOf: (tenantId: string, id: string) => ["tenant", tenantId, "campaigns", "recipients", id] as const,
  /** What live campaign events keep current (read again when the feed opens without a point to resume from). */
  followed: (tenantId: string) =>
    [["tenant", tenantId, "campaigns", "list"], ["tenant", tenantId, "campaigns", "detail"], ["tenant", tenantId, "campaigns", "stats"]] as const,
  count: (tenantId: string, audience: unknown) => ["tenant", tenantId, "campaigns", "count", audience] as const,
  estimate: (tenantId: string, body: unknown) => ["tenant", tenantId, "campaigns", "estimate", body] as const,
  preview: (tenantId: string, body: unknown) => ["tenant", tenantId, "campaigns", "preview", body] as const,
  segments: (tenantId: string) => ["tenant", tenantId, "campaigns", "segments"] as const,
  upload: (tenantId: string, id: string) => ["tenant", tenantId, "campaigns", "upload", id] as const,
};
