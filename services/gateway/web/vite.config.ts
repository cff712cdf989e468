/// <reference types="vitest/config" />
import { fileURLToPath, URL } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { initialJsBudget, serviceWorker } from "./build/plugins";

const gateway = process.env.MASTERIA_GATEWAY_URL ?? "http://127.0.0.1:8000";
const proxied = { target: gateway, changeOrigin: false, ws: false };

export default defineConfig({
  // The gateway serves dist/ at "/" with an SPA fallback.
  base: "/",
  plugins: [react(), tailwindcss(), serviceWorker(), initialJsBudget(250)],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  server: {
    // `npm run dev` against a running gateway (`make up`): same-origin calls, cookies included.
    proxy: { "/api": proxied, "/auth": proxied, "/webhooks": proxied },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 400,
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL("./index.html", import.meta.url)),
        sw: fileURLToPath(new URL("./src/sw/sw.ts", import.meta.url)),
      },
      output: {
        entryFileNames: (chunk) => (chunk.name === "sw" ? "sw.js" : "assets/[name]-[hash].js"),
        // Libraries change less often than the app: their own long-cached files. Icons (lucide) are left out:
        // each page's icons then load with the page instead of all of them with the first load.
        manualChunks: (id) => {
          if (!id.includes("/node_modules/")) return undefined;
          if (/\/node_modules\/(react|react-dom|scheduler|react-router|cookie|set-cookie-parser)\//.test(id)) return "react";
          if (/\/node_modules\/(@radix-ui|@floating-ui|react-remove-scroll[^/]*|react-style-singleton|use-callback-ref|use-sidecar|aria-hidden|get-nonce|tslib|sonner|clsx|tailwind-merge|class-variance-authority|@tanstack\/(react-query|query-core))\//.test(id)) return "ui";
          return undefined;
        },
      },
    },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts", "build/**/*.test.ts"],
  },
});
