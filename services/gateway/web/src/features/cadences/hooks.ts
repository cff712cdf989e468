import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { type Cadence, cadenceKeys, cadencesApi } from "@/api/cadences";
import { useTenantId } from "@/app/session";
import { uniqueById } from "@/lib/utils";

export function useCadences() {
  const tenantId = useTenantId();
  const query = useInfiniteQuery({
    queryKey: cadenceKeys.list(tenantId),
    queryFn: ({ pageParam, signal }) => cadencesApi.list({ cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = useMemo(() => uniqueById(query.data?.pages ?? []), [query.data]);
  return { ...query, items };
}

export function useCadence(id: string | undefined) {
  const tenantId = useTenantId();
  return useQuery({
    queryKey: cadenceKeys.detail(tenantId, id ?? ""),
    queryFn: ({ signal }) => cadencesApi.get(id!, signal),
    enabled: Boolean(id),
    // Enrolment counts move as timers fire and customers reply: read again while it runs.
    refetchInterval: (q) => (q.state.data?.state === "active" ? 10_000 : false),
  });
}

export function useCadenceStats(id: string, active: boolean) {
  const tenantId = useTenantId();
  return useQuery({
    queryKey: cadenceKeys.stats(tenantId, id),
    queryFn: ({ signal }) => cadencesApi.stats(id, signal),
    refetchInterval: active ? 10_000 : false,
  });
}

export function useEnrolments(id: string, state: string, active: boolean) {
  const tenantId = useTenantId();
  const query = useInfiniteQuery({
    queryKey: cadenceKeys.enrolments(tenantId, id, state),
    queryFn: ({ pageParam, signal }) => cadencesApi.enrolments(id, { state, cursor: pageParam, limit: 25 }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: active ? 15_000 : false,
  });
  const items = useMemo(() => uniqueById(query.data?.pages ?? []), [query.data]);
  return { ...query, items };
}

/** Activate or pause: the answer (the committed state) replaces the cached cadence. */
export function useCadenceAction(id: string) {
  const tenantId = useTenantId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (action: "activate" | "pause") => cadencesApi[action](id),
    onSuccess: (cadence: Cadence) => {
      client.setQueryData(cadenceKeys.detail(tenantId, id), cadence);
      void client.invalidateQueries({ queryKey: cadenceKeys.list(tenantId) });
    },
  });
}
