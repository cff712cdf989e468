import { describe, expect, it } from "vitest";
import { initials, safeNext, uniqueById } from "./utils";

describe("safeNext", () => {
  it("keeps same-site paths with their query", () => {
    expect(safeNext("/inbox/abc?q=maria")).toBe("/inbox/abc?q=maria");
  });
  it("refuses other sites and loops back to the sign-in pages", () => {
    expect(safeNext("https://evil.test/")).toBe("/inbox");
    expect(safeNext("//evil.test/")).toBe("/inbox");
    expect(safeNext("/\\evil.test")).toBe("/inbox");
    expect(safeNext("/login?next=/x")).toBe("/inbox");
    expect(safeNext(null)).toBe("/inbox");
  });
});

describe("initials", () => {
  it("uses the first and last names, else the number", () => {
    expect(initials("Maria da Silva")).toBe("MS");
    expect(initials("joana")).toBe("JO");
    expect(initials(null, "+5511999990001")).toBe("01");
  });
});

describe("uniqueById", () => {
  it("keeps page order and drops a row repeated on a later page", () => {
    const pages = [{ items: [{ id: "a" }, { id: "b" }] }, { items: [{ id: "b" }, { id: "c" }] }];
    expect(uniqueById(pages).map((x) => x.id)).toEqual(["a", "b", "c"]);
  });
});
