import { describe, expect, it } from "vitest";
import { countSegments, countTemplateSegments } from "./sms";

describe("SMS segment counter", () => {
  it("packs plain Portuguese without accents outside GSM-7 into 160 septets", () => {
    const c = countSegments("a".repeat(160));
    expect(c).toMatchObject({ encoding: "GSM-7", segments: 1, units: 160, perSegment: 160, remaining: 0 });
  });

  it("splits a long GSM-7 text into 153-septet segments", () => {
    expect(countSegments("a".repeat(161))).toMatchObject({ segments: 2, perSegment: 153, remaining: 145 });
    expect(countSegments("a".repeat(306)).segments).toBe(2);
    expect(countSegments("a".repeat(307)).segments).toBe(3);
  });

  it("counts extension characters as two septets and never splits the pair", () => {
    expect(countSegments("€").units).toBe(2);
    // 152 plain + "€" (2) = 154 > 153 in a multi-part message: the escape pair moves to the next segment.
    const c = countSegments("a".repeat(152) + "€" + "a".repeat(10));
    expect(c.encoding).toBe("GSM-7");
    expect(c.segments).toBe(2);
  });

  it("switches to UCS-2 for characters outside the alphabet and says which", () => {
    const c = countSegments("Promoção de Natal 🎄");
    expect(c.encoding).toBe("UCS-2");
    expect(c.unicodeChars).toEqual(expect.arrayContaining(["ç", "ã", "🎄"]));
    expect(c.units).toBe(20); // the emoji is two UTF-16 units
    expect(countSegments("ç".repeat(70)).segments).toBe(1);
    expect(countSegments("ç".repeat(71))).toMatchObject({ segments: 2, perSegment: 67 });
  });

  it("keeps an accented letter that GSM-7 has in GSM-7", () => {
    expect(countSegments("Olá, você é o número 1! Até já.").encoding).toBe("UCS-2"); // á, ê are not in GSM-7
    expect(countSegments("é à ü ñ").encoding).toBe("GSM-7");
  });

  it("takes one segment for an empty body", () => {
    expect(countSegments("")).toMatchObject({ segments: 1, units: 0, remaining: 160 });
  });

  it("counts variables as their fallback or a typical value, and says the count is approximate", () => {
    const c = countTemplateSegments("Oi {{first_name|Cliente}}");
    expect(c.units).toBe("Oi Cliente".length);
    expect(c.approximate).toBe(true);
    expect(countTemplateSegments("Oi").approximate).toBe(false);
  });
});
