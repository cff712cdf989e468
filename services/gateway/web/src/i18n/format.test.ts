import { describe, expect, it } from "vitest";
import { formatCount, formatListTime, formatNumber, formatPhone } from "./format";

describe("formatPhone", () => {
  it("writes Brazilian mobiles and landlines the usual way", () => {
    expect(formatPhone("+5511987650001")).toBe("+55 11 98765-0001");
    expect(formatPhone("+551134567890")).toBe("+55 11 3456-7890");
  });
  it("writes North American numbers", () => {
    expect(formatPhone("+14155550100")).toBe("+1 415-555-0100");
  });
  it("leaves other numbers as they are", () => {
    expect(formatPhone("+447911123456")).toBe("+447911123456");
    expect(formatPhone("")).toBe("");
    expect(formatPhone(null)).toBe("");
  });
});

describe("numbers", () => {
  it("use the locale's separators", () => {
    expect(formatNumber(12345.5, "pt-BR")).toBe("12.345,5");
    expect(formatNumber(12345.5, "en")).toBe("12,345.5");
  });
  it("cap unread counts", () => {
    expect(formatCount(7, "pt-BR")).toBe("7");
    expect(formatCount(150, "en")).toBe("99+");
  });
});

describe("formatListTime", () => {
  const now = new Date(2025, 5, 18, 15, 0, 0);
  it("says now, minutes ago, the time today, yesterday", () => {
    expect(formatListTime(new Date(2025, 5, 18, 14, 59, 40), "pt-BR", now)).toBe("agora");
    expect(formatListTime(new Date(2025, 5, 18, 14, 55, 0), "pt-BR", now)).toMatch(/^há 5 min/);
    expect(formatListTime(new Date(2025, 5, 18, 14, 55, 0), "en", now)).toMatch(/^5 min.* ago$/);
    expect(formatListTime(new Date(2025, 5, 18, 9, 5, 0), "pt-BR", now)).toBe("09:05");
    expect(formatListTime(new Date(2025, 5, 17, 9, 5, 0), "pt-BR", now)).toBe("ontem");
    expect(formatListTime(new Date(2025, 5, 17, 9, 5, 0), "en", now)).toBe("yesterday");
  });
});
