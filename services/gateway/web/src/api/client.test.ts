import { describe, expect, it } from "vitest";
import { isSessionExpiry } from "./client";

describe("isSessionExpiry", () => {
  it("treats a 401 from the API as an expired session", () => {
    expect(isSessionExpiry(401, "http://app.test/api/v1/conversations?limit=50")).toBe(true);
    expect(isSessionExpiry(401, "/auth/switch-tenant")).toBe(true);
  });
  it("leaves the sign-in forms' own 401s to them", () => {
    expect(isSessionExpiry(401, "http://app.test/auth/login")).toBe(false);
    expect(isSessionExpiry(401, "http://app.test/auth/me")).toBe(false);
  });
  it("ignores other statuses", () => {
    expect(isSessionExpiry(403, "http://app.test/api/v1/conversations")).toBe(false);
  });
});
