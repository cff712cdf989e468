import { describe, expect, it } from "vitest";
import type { Me } from "@/api";
import { canChangeTenantSettings, withTenantTimeZone } from "./tenantZone";

const me: Me = {
  user: { id: "u", email: "rita@padaria.com", name: "Rita", email_verified: true },
  tenant: { id: "t1", name: "Padaria", timezone: "America/Sao_Paulo" },
  role: "owner",
  memberships: [
    { tenant: { id: "t1", name: "Padaria", timezone: "America/Sao_Paulo" }, role: "owner" },
    { tenant: { id: "t2", name: "Ótica", timezone: "America/Manaus" }, role: "agent" },
  ],
  csrf_token: "x",
};

describe("the tenant's time zone in the session", () => {
  it("changes the current tenant and its membership, nothing else", () => {
    const next = withTenantTimeZone(me, "t1", "Europe/Lisbon");
    expect(next.tenant?.timezone).toBe("Europe/Lisbon");
    expect(next.memberships.map((m) => m.tenant.timezone)).toEqual(["Europe/Lisbon", "America/Manaus"]);
    expect(me.tenant?.timezone).toBe("America/Sao_Paulo");
  });

  it("is for owners and admins to change", () => {
    expect(["owner", "admin", "agent", "viewer", null].map(canChangeTenantSettings)).toEqual([true, true, false, false, false]);
  });
});
