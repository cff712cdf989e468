import { describe, expect, it } from "vitest";
import { CSRF_HEADER, readCookie, withCsrf } from "./csrf";

const cookies = "theme=dark; masteria_csrf=abc%2F123; other=x";

describe("readCookie", () => {
  it("finds and decodes a cookie", () => {
    expect(readCookie(cookies, "masteria_csrf")).toBe("abc/123");
    expect(readCookie("masteria_csrf=tok", "masteria_csrf")).toBe("tok");
  });
  it("returns null when missing and does not match on a suffix", () => {
    expect(readCookie("x_masteria_csrf=nope", "masteria_csrf")).toBeNull();
    expect(readCookie("", "masteria_csrf")).toBeNull();
  });
});

describe("withCsrf", () => {
  it.each(["POST", "PUT", "PATCH", "DELETE"])("adds the header on %s", (method) => {
    const request = withCsrf(new Request("http://app.test/api/v1/x", { method }), cookies);
    expect(request.headers.get(CSRF_HEADER)).toBe("abc/123");
  });

  it.each(["GET", "HEAD", "OPTIONS"])("leaves %s alone", (method) => {
    const request = withCsrf(new Request("http://app.test/api/v1/x", { method }), cookies);
    expect(request.headers.has(CSRF_HEADER)).toBe(false);
  });

  it("sends nothing when there is no cookie", () => {
    const request = withCsrf(new Request("http://app.test/auth/login", { method: "POST" }), "a=b");
    expect(request.headers.has(CSRF_HEADER)).toBe(false);
  });
});
