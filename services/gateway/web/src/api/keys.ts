/**
 * TanStack Query keys. Everything a tenant owns sits under ["tenant", tenantId] so that switching tenant
 * can never show one tenant's cache to another, and a tenant's data can be dropped in one call.
 */

/** The inbox list's filters as they sit in its query key (always all four, "" when unused). */
export interface ListFilters {
  q: string;
  status: string;
  assignee: string;
  channel: string;
}

export function listFilters(filters: string | Partial<ListFilters>): ListFilters {
  const f = typeof filters === "string" ? { q: filters } : filters;
  return { q: f.q ?? "", status: f.status ?? "", assignee: f.assignee ?? "", channel: f.channel ?? "" };
}

/** The filters of a conversation list's key (its 4th part). */
export function filtersOfKey(key: readonly unknown[]): ListFilters {
  return listFilters((key[3] as Partial<ListFilters> | undefined) ?? {});
}

export interface ContactFilters {
  q: string;
  tag: string;
  channel: string;
  /** "true" (opted out), "false" (may be messaged) or "" (everyone). */
  opted_out: string;
}

export const keys = {
  me: ["me"] as const,
  tenant: (tenantId: string) => ["tenant", tenantId] as const,
  conversationLists: (tenantId: string) => ["tenant", tenantId, "conversations"] as const,
  conversationList: (tenantId: string, filters: string | Partial<ListFilters>) =>
    ["tenant", tenantId, "conversations", listFilters(filters)] as const,
  conversation: (tenantId: string, id: string) => ["tenant", tenantId, "conversation", id] as const,
  conversationDetails: (tenantId: string) => ["tenant", tenantId, "conversation"] as const,
  messages: (tenantId: string, conversationId: string) => ["tenant", tenantId, "messages", conversationId] as const,
  notes: (tenantId: string, conversationId: string) => ["tenant", tenantId, "notes", conversationId] as const,
  members: (tenantId: string) => ["tenant", tenantId, "members"] as const,
  phoneNumbers: (tenantId: string) => ["tenant", tenantId, "phone-numbers"] as const,
  templates: (tenantId: string, numberId: string) => ["tenant", tenantId, "templates", numberId] as const,
  allTemplates: (tenantId: string) => ["tenant", tenantId, "templates"] as const,
  smsSenders: (tenantId: string) => ["tenant", tenantId, "sms-senders"] as const,
  contactLists: (tenantId: string) => ["tenant", tenantId, "contacts"] as const,
  contactList: (tenantId: string, filters: ContactFilters) => ["tenant", tenantId, "contacts", filters] as const,
  contact: (tenantId: string, id: string) => ["tenant", tenantId, "contact", id] as const,
  contactTimeline: (tenantId: string, id: string) => ["tenant", tenantId, "contact-timeline", id] as const,
  contactTags: (tenantId: string) => ["tenant", tenantId, "contact-tags"] as const,
  contactImport: (tenantId: string, importId: string) => ["tenant", tenantId, "contact-import", importId] as const,
};
