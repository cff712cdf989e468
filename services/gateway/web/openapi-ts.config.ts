import { defineConfig } from "@hey-api/openapi-ts";

/**
 * The API client is generated from `openapi.json` (written by `tools/export_openapi.py`), never by hand.
 * `npm run generate:api` writes `src/api/generated/`; `npm run check:api` regenerates into a temporary
 * folder (OPENAPI_TS_OUTPUT) and fails when the committed output differs.
 */
export default defineConfig({
  input: "./openapi.json",
  output: {
    path: process.env.OPENAPI_TS_OUTPUT ?? "./src/api/generated",
    clean: true,
    postProcess: [],
  },
  plugins: [
    {
      name: "@hey-api/client-fetch",
      // Same-origin calls with the session cookie; see src/api/hey-api.ts.
      runtimeConfigPath: "../hey-api",
    },
    "@hey-api/typescript",
    "@hey-api/sdk",
  ],
});
