/**
 * TanStack Query keys. Everything a tenant owns sits under ["tenant", tenantId] so that switching tenant
 * can never show one tenant's cache to another, and a tenant's data can be dropped in one call.
 */
export const keys = {
  me: ["me"] as const,
  tenant: (tenantId: string) => ["tenant", tenantId] as const,
  conversationLists: (tenantId: string) => ["tenant", tenantId, "conversations"] as const,
  conversationList: (tenantId: string, q: string) => ["tenant", tenantId, "conversations", { q }] as const,
  conversation: (tenantId: string, id: string) => ["tenant", tenantId, "conversation", id] as const,
  messages: (tenantId: string, conversationId: string) => ["tenant", tenantId, "messages", conversationId] as const,
  phoneNumbers: (tenantId: string) => ["tenant", tenantId, "phone-numbers"] as const,
};
