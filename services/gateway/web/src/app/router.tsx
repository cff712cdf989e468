import { lazy, Suspense, type ReactNode } from "react";
import { createBrowserRouter, Navigate, useLocation } from "react-router";
import { AppShell } from "@/components/AppShell";
import { PageSkeleton, FullPageSpinner } from "@/components/PageSkeleton";
import { RouteError } from "@/components/RouteError";
import { NotFound } from "@/components/NotFound";
import { safeNext } from "@/lib/utils";
import { loggedOut, useMe } from "./session";

// Every page is its own chunk: the first load only carries the shell.
const loaders = {
  login: () => import("@/features/auth/LoginPage"),
  signup: () => import("@/features/auth/SignupPage"),
  inbox: () => import("@/features/inbox/InboxLayout"),
  thread: () => import("@/features/inbox/ThreadRoute"),
  inboxIndex: () => import("@/features/inbox/InboxIndex"),
  soon: () => import("@/features/soon/ComingSoonPage"),
  contacts: () => import("@/features/contacts/ContactsLayout"),
  contactDetail: () => import("@/features/contacts/ContactDetail"),
  contactsIndex: () => import("@/features/contacts/ContactsIndex"),
  settings: () => import("@/features/settings/SettingsLayout"),
  channels: () => import("@/features/settings/ChannelsPage"),
  preferences: () => import("@/features/settings/PreferencesPage"),
  campaigns: () => import("@/features/campaigns/CampaignList"),
  campaignNew: () => import("@/features/campaigns/CampaignWizard"),
  campaign: () => import("@/features/campaigns/CampaignPage"),
  cadences: () => import("@/features/cadences/CadenceList"),
  cadenceEdit: () => import("@/features/cadences/CadenceBuilder"),
  cadence: () => import("@/features/cadences/CadencePage"),
};
const LoginPage = lazy(loaders.login);
const SignupPage = lazy(loaders.signup);
const InboxLayout = lazy(loaders.inbox);
const ThreadRoute = lazy(loaders.thread);
const InboxIndex = lazy(loaders.inboxIndex);
const ComingSoonPage = lazy(loaders.soon);
const ContactsLayout = lazy(loaders.contacts);
const ContactDetail = lazy(loaders.contactDetail);
const ContactsIndex = lazy(loaders.contactsIndex);
const SettingsLayout = lazy(loaders.settings);
const ChannelsPage = lazy(loaders.channels);
const PreferencesPage = lazy(loaders.preferences);
const CampaignList = lazy(loaders.campaigns);
const CampaignWizard = lazy(loaders.campaignNew);
const CampaignPage = lazy(loaders.campaign);
const CadenceList = lazy(loaders.cadences);
const CadenceBuilder = lazy(loaders.cadenceEdit);
const CadencePage = lazy(loaders.cadence);

/** /campaigns/... → the page code to fetch early (cadences live under /campaigns/cadences). */
function campaignLoaders(path: string): (keyof typeof loaders)[] {
  const [, , second, third, fourth] = path.split("/");
  if (second === "cadences") return [!third ? "cadences" : third === "new" || fourth === "edit" ? "cadenceEdit" : "cadence"];
  return [!second ? "campaigns" : second === "new" ? "campaignNew" : "campaign"];
}

/** The first page's code is fetched while the session is checked, not after. */
function preloadFor(path: string): void {
  const first = path.split("/")[1] ?? "";
  const wanted: (keyof typeof loaders)[] =
    first === "" || first === "inbox"
      ? ["inbox", path.split("/")[2] ? "thread" : "inboxIndex"]
      : first === "contacts"
        ? ["contacts", path.split("/")[2] ? "contactDetail" : "contactsIndex"]
        : first === "settings"
          ? ["settings", path.includes("preferences") ? "preferences" : "channels"]
          : first === "campaigns"
            ? campaignLoaders(path)
          : first === "login" || first === "signup"
            ? [first]
            : ["soon"];
  for (const name of wanted) void loaders[name]().catch(() => undefined);
}

if (typeof window !== "undefined") preloadFor(window.location.pathname);

function RequireAuth({ children }: { children: ReactNode }) {
  const { data: me, isPending, isError, refetch } = useMe();
  const location = useLocation();
  if (isPending) return <FullPageSpinner />;
  if (isError) return <RouteError onRetry={() => void refetch()} />;
  if (!me) {
    if (loggedOut()) return <Navigate to="/login" replace />;
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

function PublicOnly({ children }: { children: ReactNode }) {
  const { data: me, isPending } = useMe();
  const location = useLocation();
  if (isPending) return <FullPageSpinner />;
  if (me) return <Navigate to={safeNext(new URLSearchParams(location.search).get("next"))} replace />;
  return <Suspense fallback={<FullPageSpinner />}>{children}</Suspense>;
}

const page = (node: ReactNode) => <Suspense fallback={<PageSkeleton />}>{node}</Suspense>;

const soon = (["leads", "ai", "voice", "analytics"] as const).map((area) => ({
  path: area,
  element: page(<ComingSoonPage area={area} />),
}));

export const router = createBrowserRouter([
  { path: "/login", element: <PublicOnly><LoginPage /></PublicOnly>, errorElement: <RouteError /> },
  { path: "/signup", element: <PublicOnly><SignupPage /></PublicOnly>, errorElement: <RouteError /> },
  {
    path: "/",
    element: (
      <RequireAuth>
        <AppShell />
      </RequireAuth>
    ),
    errorElement: <RouteError />,
    children: [
      { index: true, element: <Navigate to="/inbox" replace /> },
      {
        path: "inbox",
        element: page(<InboxLayout />),
        children: [
          { index: true, element: page(<InboxIndex />) },
          { path: ":conversationId", element: page(<ThreadRoute />) },
        ],
      },
      {
        path: "contacts",
        element: page(<ContactsLayout />),
        children: [
          { index: true, element: page(<ContactsIndex />) },
          { path: ":contactId", element: page(<ContactDetail />) },
        ],
      },
      {
        path: "campaigns",
        children: [
          { index: true, element: page(<CampaignList />) },
          { path: "new", element: page(<CampaignWizard />) },
          { path: "cadences", element: page(<CadenceList />) },
          { path: "cadences/new", element: page(<CadenceBuilder />) },
          { path: "cadences/:cadenceId", element: page(<CadencePage />) },
          { path: "cadences/:cadenceId/edit", element: page(<CadenceBuilder />) },
          { path: ":campaignId", element: page(<CampaignPage />) },
        ],
      },
      ...soon,
      {
        path: "settings",
        element: page(<SettingsLayout />),
        children: [
          { index: true, element: <Navigate to="/settings/channels" replace /> },
          { path: "channels", element: page(<ChannelsPage />) },
          { path: "preferences", element: page(<PreferencesPage />) },
        ],
      },
      { path: "*", element: <NotFound /> },
    ],
  },
]);
