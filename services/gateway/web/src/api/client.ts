import { client } from "./generated/client.gen";
import { withCsrf } from "./csrf";
import { ApiError, toApiError } from "./problems";

/** Auth calls whose 401 is an answer for the form (or "signed out"), not an expired session. */
const OWN_401 = ["/auth/login", "/auth/signup", "/auth/me", "/auth/logout"];

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called on any 401 from the API: the session expired (the app sends the user to /login?next=…). */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Tells the app the session is gone (as a 401 from the API would). */
export function notifySessionExpired(): void {
  unauthorizedListeners.forEach((listener) => listener());
}

export function isSessionExpiry(status: number, url: string): boolean {
  if (status !== 401) return false;
  const path = new URL(url, "http://x").pathname;
  return !OWN_401.includes(path);
}

let installed = false;

/** Interceptors of the generated client: CSRF header on writes, 401 → sign in again, errors → ApiError. */
export function installClient(): void {
  if (installed) return;
  installed = true;
  client.interceptors.request.use((request) => withCsrf(request, document.cookie));
  client.interceptors.response.use((response, request) => {
    if (isSessionExpiry(response.status, request.url)) notifySessionExpired();
    return response;
  });
  client.interceptors.error.use((error, response) => toApiError(error, response?.status ?? 0));
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response?: Response;
}

/** The data of a generated SDK call, or a thrown ApiError (status 0 when the network failed). */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const result = await call;
  if (result.error !== undefined || !result.response || !result.response.ok) {
    const status = result.response?.status ?? 0;
    throw result.error instanceof ApiError ? result.error : toApiError(result.error, status);
  }
  return result.data as T;
}

export { client };
