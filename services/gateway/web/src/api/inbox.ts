/**
 * The inbox's calls (crm, /api/v1/conversations) beyond the plain list and thread: filters, assignment,
 * status, notes, read marks and sending; and the members an agent can assign to. Generated SDK underneath.
 */
import { unwrap } from "./client";
import * as sdk from "./generated/sdk.gen";
import type {
  Channel,
  ConversationDetail,
  ConversationOut,
  DeliveryError as GeneratedDeliveryError,
  MediaContent as GeneratedMediaContent,
  MemberOut,
  MessageOut,
  NoteOut,
  PageConversationOut,
  SendIn,
  TemplateComponent as GeneratedTemplateComponent,
  TemplateParameter as GeneratedTemplateParameter,
  TextContent as GeneratedTextContent,
} from "./generated/types.gen";

export type DeliveryStatus = "queued" | "unknown" | "accepted" | "sent" | "delivered" | "read" | "failed";
export type DeliveryError = GeneratedDeliveryError;

/** A message of a thread, with its delivery status (outbound) and who wrote it. */
export type InboxMessage = MessageOut;

/**
 * A conversation: list rows (ConversationOut) and the detail (with the consent of its channel and, on
 * WhatsApp, the 24-hour service window) share one cache entry, so the detail's fields are optional here.
 */
export type InboxConversation = ConversationOut & Partial<Pick<ConversationDetail, "service_window" | "opted_out">>;
export type ServiceWindow = NonNullable<ConversationDetail["service_window"]>;
export type ConversationStatusFilter = "open" | "pending" | "resolved";

export interface ConversationFilters {
  q?: string;
  /** open, pending or resolved; empty for every status. */
  status?: string;
  /** "me", "unassigned" or a user id; empty for everyone's. */
  assignee?: string;
  channel?: string;
}

export type Note = NoteOut;
export type Member = MemberOut;

// --- outbound content (libs/contracts content.py), with `kind` required so unions narrow ----------------

export type TextContent = GeneratedTextContent & { kind: "text" };
export type MediaContent = GeneratedMediaContent;
export type TemplateParameter = GeneratedTemplateParameter;
export type TemplateComponent = GeneratedTemplateComponent;
export interface TemplateContent {
  kind: "template";
  name: string;
  language: string;
  components: TemplateComponent[];
}
export type OutboundContent = TextContent | MediaContent | TemplateContent;

const orNull = (v: string | undefined) => (v ? v : undefined);

export const inboxApi = {
  conversations: (filters: ConversationFilters & { cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
    unwrap<PageConversationOut>(
      sdk.listConversationsApiV1ConversationsGet({
        query: {
          limit: filters.limit ?? 50,
          ...(filters.cursor ? { cursor: filters.cursor } : {}),
          ...(filters.q ? { q: filters.q } : {}),
          ...(filters.status ? { status: filters.status as ConversationStatusFilter } : {}),
          ...(filters.assignee ? { assignee: filters.assignee } : {}),
          ...(filters.channel ? { channel: filters.channel as Channel } : {}),
        },
        signal,
      }),
    ),
  update: (id: string, body: { status?: ConversationStatusFilter; assignee_user_id?: string | null }) =>
    unwrap(sdk.patchConversationApiV1ConversationsConversationIdPatch({ path: { conversation_id: id }, body })),
  markRead: (id: string) => unwrap(sdk.markReadApiV1ConversationsConversationIdReadPost({ path: { conversation_id: id } })),
  notes: (id: string, signal?: AbortSignal) =>
    unwrap(sdk.listNotesApiV1ConversationsConversationIdNotesGet({ path: { conversation_id: id }, query: { limit: 200 }, signal })),
  addNote: (id: string, body: string) =>
    unwrap(sdk.addNoteApiV1ConversationsConversationIdNotesPost({ path: { conversation_id: id }, body: { body } })),
  send: (id: string, content: OutboundContent, channelAccountId?: string | null) =>
    unwrap(
      sdk.sendMessageApiV1ConversationsConversationIdMessagesPost({
        path: { conversation_id: id },
        body: { content: content as SendIn["content"], ...(orNull(channelAccountId ?? undefined) ? { channel_account_id: channelAccountId } : {}) },
      }),
    ),
  members: (signal?: AbortSignal) => unwrap(sdk.listMembersApiV1MembersGet({ query: { limit: 200 }, signal })),
};

/** Lists come as a page ({items}) or a bare array, whichever the route answers. */
export function itemsOf<T>(data: { items: T[] } | T[] | null | undefined): T[] {
  if (!data) return [];
  return Array.isArray(data) ? data : data.items;
}
