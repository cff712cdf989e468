import { QueryClientProvider, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { RouterProvider } from "react-router";
import { Toaster } from "sonner";
import { onUnauthorized } from "@/api/client";
import { keys } from "@/api/keys";
import { TooltipProvider } from "@/components/ui/tooltip";
import { I18nProvider } from "@/i18n";
import { ThemeProvider, useTheme } from "@/lib/theme";
import { makeQueryClient } from "./queryClient";
import { router } from "./router";

export const EXPIRED_FLAG = "masteria.sessionExpired";

/** Any 401 from the API: forget the session; the route guard sends the user to /login?next=<here>. */
function SessionExpiry() {
  const client = useQueryClient();
  useEffect(
    () =>
      onUnauthorized(() => {
        if (!client.getQueryData(keys.me)) return;
        try {
          sessionStorage.setItem(EXPIRED_FLAG, "1");
        } catch {
          /* the notice is optional */
        }
        client.removeQueries({ queryKey: ["tenant"] });
        client.setQueryData(keys.me, null);
      }),
    [client],
  );
  return null;
}

function AppToaster() {
  const { resolved } = useTheme();
  return <Toaster theme={resolved} position="bottom-right" richColors closeButton />;
}

export function App() {
  const [queryClient] = useState(makeQueryClient);
  return (
    <ThemeProvider>
      <I18nProvider>
        <QueryClientProvider client={queryClient}>
          <TooltipProvider delayDuration={300}>
            <SessionExpiry />
            <RouterProvider router={router} />
            <AppToaster />
          </TooltipProvider>
        </QueryClientProvider>
      </I18nProvider>
    </ThemeProvider>
  );
}
