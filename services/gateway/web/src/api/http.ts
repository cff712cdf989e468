/** URLs the browser follows itself (downloads: CSV export, error reports): same origin, the session cookie goes along. */

export type QueryValue = string | number | boolean | null | undefined | (string | number)[];

/** A same-origin URL with a query string; empty values are left out, arrays repeat the key. */
export function urlWithQuery(path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, String(v)));
    else params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}
