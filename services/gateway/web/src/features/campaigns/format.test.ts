import { describe, expect, it } from "vitest";
import { formatDuration, formatMoney, formatRate } from "./format";
import { campaignsMessages } from "./i18n";

const words = campaignsMessages["pt-BR"].duration;

describe("campaign numbers", () => {
  it("shows rates as percentages, with a decimal only when small", () => {
    expect(formatRate(0.975, "pt-BR")).toBe("98%");
    expect(formatRate(0.055, "pt-BR")).toBe("5,5%");
    expect(formatRate(0, "en")).toBe("0%");
    expect(formatRate(null, "en")).toBe("—");
  });

  it("says how long a send takes in words", () => {
    expect(formatDuration(45, words)).toBe("45 s");
    expect(formatDuration(61, words)).toBe("2 min");
    expect(formatDuration(3600, words)).toBe("1 h");
    expect(formatDuration(3600 * 3 + 20 * 60, words)).toBe("3 h 20 min");
    expect(formatDuration(86_400, words)).toBe("1 dia");
    expect(formatDuration(86_400 * 2 + 3600 * 4, words)).toBe("2 dias 4 h");
    expect(formatDuration(3600 * 30 + 60, words)).toBe("30 h 1 min");
  });

  it("formats costs in their currency", () => {
    expect(formatMoney(7.9, "USD", "en")).toBe("$7.90");
    expect(formatMoney(0.0079, "USD", "en")).toBe("$0.0079");
    expect(formatMoney(1, "NOPE", "en")).toBe("1 NOPE");
  });
});
