import type { Me } from "@/api";

/** The session after the tenant's time zone changed: its current tenant and its membership show the new zone. */
export function withTenantTimeZone(me: Me, tenantId: string, timezone: string): Me {
  return {
    ...me,
    tenant: me.tenant?.id === tenantId ? { ...me.tenant, timezone } : me.tenant,
    memberships: me.memberships.map((ms) => (ms.tenant.id === tenantId ? { ...ms, tenant: { ...ms.tenant, timezone } } : ms)),
  };
}

/** Owners and admins change the tenant's settings (the gateway refuses anyone else). */
export function canChangeTenantSettings(role: string | null | undefined): boolean {
  return role === "owner" || role === "admin";
}
