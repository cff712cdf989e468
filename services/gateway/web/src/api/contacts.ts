/** Contacts (crm, /api/v1/contacts): list, detail, timeline, consent, merge, CSV import and export. */
import { unwrap } from "./client";
import * as sdk from "./generated/sdk.gen";
import type {
  Channel,
  ConsentOut,
  ContactCreate,
  ContactOut,
  ContactPatch,
  ImportOut,
  PageContactOut,
  TagCount as GeneratedTagCount,
  TimelineItem as GeneratedTimelineItem,
} from "./generated/types.gen";
import { urlWithQuery } from "./http";
import type { ContactFilters } from "./keys";

export type Consent = ConsentOut;
export type Contact = ContactOut;
export type ContactPage = PageContactOut;
export type ContactInput = ContactPatch;
export type NewContact = ContactCreate;
/** One entry of a contact's cross-channel history: a message (any channel) or an internal note. */
export type TimelineItem = GeneratedTimelineItem;
export type TagCount = GeneratedTagCount;
export type ContactImport = ImportOut;

function filterQuery(filters: Partial<ContactFilters>) {
  return {
    ...(filters.q ? { q: filters.q } : {}),
    ...(filters.tag ? { tag: [filters.tag] } : {}),
    ...(filters.channel ? { channel: filters.channel as Channel } : {}),
    ...(filters.opted_out === "true" || filters.opted_out === "false" ? { opted_out: filters.opted_out === "true" } : {}),
  };
}

const path = (id: string) => ({ contact_id: id });

export const contactsApi = {
  list: (filters: Partial<ContactFilters> & { cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
    unwrap(
      sdk.listContactsApiV1ContactsGet({
        query: { ...filterQuery(filters), limit: filters.limit ?? 50, ...(filters.cursor ? { cursor: filters.cursor } : {}) },
        signal,
      }),
    ),
  get: (id: string, signal?: AbortSignal) => unwrap(sdk.getContactApiV1ContactsContactIdGet({ path: path(id), signal })),
  create: (body: NewContact) => unwrap(sdk.createContactApiV1ContactsPost({ body })),
  update: (id: string, body: ContactInput) => unwrap(sdk.patchContactApiV1ContactsContactIdPatch({ path: path(id), body })),
  remove: (id: string) => unwrap(sdk.deleteContactApiV1ContactsContactIdDelete({ path: path(id) })),
  timeline: (id: string, cursor: string | null, signal?: AbortSignal) =>
    unwrap(
      sdk.contactTimelineApiV1ContactsContactIdTimelineGet({ path: path(id), query: { limit: 50, ...(cursor ? { cursor } : {}) }, signal }),
    ),
  merge: (id: string, contactIds: string[]) =>
    unwrap(sdk.mergeContactsApiV1ContactsContactIdMergePost({ path: path(id), body: { contact_ids: contactIds } })),
  setConsent: (id: string, channel: string, allowed: boolean) =>
    unwrap(
      sdk.setConsentApiV1ContactsContactIdConsentChannelPut({
        path: { contact_id: id, channel: channel as Channel },
        body: { allowed, reason: "request" },
      }),
    ),
  tags: (signal?: AbortSignal) => unwrap(sdk.listTagsApiV1ContactsTagsGet({ query: { limit: 1000 }, signal })),
  /** Same filters as the list; a plain link downloads it with the session cookie. */
  exportUrl: (filters: Partial<ContactFilters>) => urlWithQuery("/api/v1/contacts/export.csv", filterQuery(filters)),
  startImport: (file: File, options: { mapping: Record<string, string>; default_country: string; tags: string[] }) =>
    unwrap(
      sdk.startImportApiV1ContactsImportsPost({
        body: {
          file,
          mapping: JSON.stringify(options.mapping),
          default_country: options.default_country,
          ...(options.tags.length ? { tags: options.tags } : {}),
        },
      }),
    ),
  importStatus: (id: string, signal?: AbortSignal) =>
    unwrap(sdk.getImportApiV1ContactsImportsImportIdGet({ path: { import_id: id }, signal })),
  errorsUrl: (id: string) => `/api/v1/contacts/imports/${encodeURIComponent(id)}/errors.csv`,
};
