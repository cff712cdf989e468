/** The double-submit CSRF check: unsafe requests carry the `masteria_csrf` cookie's value as a header. */
export const CSRF_COOKIE = "masteria_csrf";
export const CSRF_HEADER = "X-CSRF-Token";
const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** A cookie's value from a `document.cookie` string, or null. */
export function readCookie(cookies: string, name: string): string | null {
  for (const part of cookies.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return null;
}

/** The request interceptor: adds the header on POST/PUT/PATCH/DELETE when the cookie is there. */
export function withCsrf(request: Request, cookies: string): Request {
  if (!UNSAFE_METHODS.has(request.method.toUpperCase())) return request;
  const token = readCookie(cookies, CSRF_COOKIE);
  if (token) request.headers.set(CSRF_HEADER, token);
  return request;
}
