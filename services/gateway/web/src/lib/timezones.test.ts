import { describe, expect, it } from "vitest";
import { DEFAULT_TIMEZONE, timeZoneOptions, zoneLabel } from "./timezones";

describe("time zone options", () => {
  it("puts the given zones first, then Brazil's, each once", () => {
    const zones = timeZoneOptions("Europe/Lisbon", null, DEFAULT_TIMEZONE);
    expect(zones.slice(0, 3)).toEqual(["Europe/Lisbon", DEFAULT_TIMEZONE, "America/Manaus"]);
    expect(zones.filter((z) => z === DEFAULT_TIMEZONE)).toHaveLength(1);
    expect(zones).toContain("UTC");
  });

  it("reads names without underscores", () => {
    expect(zoneLabel("America/Sao_Paulo")).toBe("America/Sao Paulo");
  });
});
