import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { installClient } from "@/api/client";
import { App } from "@/app/App";
import { startInboxPrefetch } from "@/features/inbox/bootPrefetch";
import "./index.css";

installClient();
startInboxPrefetch(window.location.pathname, window.location.search);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

if (import.meta.env.PROD && "serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      /* no offline shell; the app works the same online */
    });
  });
}
