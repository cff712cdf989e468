import type { CreateClientConfig } from "./generated/client.gen";

/**
 * Runtime configuration of the generated client: same origin (the gateway serves the app and the API),
 * the session cookie on every call. The CSRF header and the 401 handling are interceptors (see client.ts).
 */
export const createClientConfig: CreateClientConfig = (config) => ({
  ...config,
  baseUrl: "",
  credentials: "include",
});
