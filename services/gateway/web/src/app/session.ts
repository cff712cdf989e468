import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { api, type Me } from "@/api";
import { keys } from "@/api/keys";
import { DEFAULT_TIMEZONE } from "@/lib/timezones";

/** The signed-in user (null when signed out; undefined while loading). */
export function useMe() {
  return useQuery({ queryKey: keys.me, queryFn: ({ signal }) => api.me(signal), staleTime: 5 * 60_000 });
}

/** The current tenant's id; throws outside the signed-in shell. */
export function useTenantId(): string {
  const { data } = useMe();
  const id = data?.tenant?.id;
  if (!id) throw new Error("no tenant in session");
  return id;
}

/** The current tenant's time zone (IANA name): schedules start in it. */
export function useTenantTimeZone(): string {
  const { data } = useMe();
  return data?.tenant?.timezone || DEFAULT_TIMEZONE;
}

/** After sign-in, sign-up or a tenant switch: the new session replaces every cached tenant's data. */
export function useAdoptSession() {
  const client = useQueryClient();
  return useCallback(
    (me: Me) => {
      loggedOutOnPurpose = false;
      client.removeQueries({ queryKey: ["tenant"] });
      client.setQueryData(keys.me, me);
    },
    [client],
  );
}

let loggedOutOnPurpose = false;

/** True after "Sair" until the next sign-in: the route guard then goes to a plain /login (no `next`). */
export function loggedOut(): boolean {
  return loggedOutOnPurpose;
}

export function useLogout() {
  const client = useQueryClient();
  return useCallback(async () => {
    try {
      await api.logout();
    } finally {
      loggedOutOnPurpose = true;
      client.removeQueries({ queryKey: ["tenant"] });
      client.setQueryData(keys.me, null);
    }
  }, [client]);
}
