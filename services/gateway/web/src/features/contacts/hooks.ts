import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { contactsApi, type TagCount } from "@/api/contacts";
import { type ContactFilters, keys } from "@/api/keys";
import { useTenantId } from "@/app/session";
import { uniqueById } from "@/lib/utils";

/** Contacts matching the filters, page by page, deduplicated across pages. */
export function useContacts(filters: ContactFilters) {
  const tenantId = useTenantId();
  const query = useInfiniteQuery({
    queryKey: keys.contactList(tenantId, filters),
    queryFn: ({ pageParam, signal }) => contactsApi.list({ ...filters, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = useMemo(() => uniqueById(query.data?.pages ?? []), [query.data]);
  return { ...query, items };
}

export function useContact(id: string | null | undefined) {
  const tenantId = useTenantId();
  return useQuery({
    queryKey: keys.contact(tenantId, id ?? ""),
    queryFn: ({ signal }) => contactsApi.get(id!, signal),
    enabled: Boolean(id),
  });
}

export function useContactTags() {
  const tenantId = useTenantId();
  return useQuery({
    queryKey: keys.contactTags(tenantId),
    queryFn: async ({ signal }): Promise<TagCount[]> => {
      const data = await contactsApi.tags(signal);
      return Array.isArray(data) ? data : data.items;
    },
    staleTime: 60_000,
  });
}

/** Channels a contact can be reached on, in the order the dashboard lists them. */
export const CONTACT_CHANNELS = ["whatsapp_meta", "sms"] as const;
