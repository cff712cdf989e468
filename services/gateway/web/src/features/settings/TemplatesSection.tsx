import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle, RefreshCw, Search } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { channelsApi, type WhatsAppNumber } from "@/api/channels";
import { itemsOf } from "@/api/inbox";
import { keys } from "@/api/keys";
import { useTenantId } from "@/app/session";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatPhone } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { cn } from "@/lib/utils";
import { channelsMessages } from "./i18n";

const STATUS_CLASS: Record<string, string> = {
  APPROVED: "border-success/40 text-success",
  PENDING: "border-warning/40 text-warning",
  REJECTED: "border-destructive/40 text-destructive",
  DISABLED: "border-destructive/40 text-destructive",
  PAUSED: "border-warning/40 text-warning",
};

/** The templates of a number (every status), the sync button, and a search over names and text. */
export function TemplatesSection({ numbers }: { numbers: WhatsAppNumber[] }) {
  const { m } = useI18n();
  const t = useMessages(channelsMessages);
  const tenantId = useTenantId();
  const client = useQueryClient();
  const [numberId, setNumberId] = useState(numbers[0]?.id ?? "");
  const [q, setQ] = useState("");
  const activeId = numbers.some((n) => n.id === numberId) ? numberId : (numbers[0]?.id ?? "");
  const templates = useQuery({
    queryKey: [...keys.templates(tenantId, activeId), "all"],
    queryFn: async ({ signal }) => itemsOf(await channelsApi.templates({ number_id: activeId }, signal)),
    enabled: Boolean(activeId),
  });
  const sync = useMutation({
    mutationFn: () => channelsApi.syncTemplates(activeId),
    onSuccess: (result) => {
      const n = result?.synced;
      toast.success(typeof n === "number" ? t.templates.synced(n) : t.templates.syncedPlain);
      void client.invalidateQueries({ queryKey: keys.allTemplates(tenantId) });
    },
    onError: (e) => toast.error(describeError(e, m)),
  });
  const needle = q.trim().toLowerCase();
  const list = (templates.data ?? []).filter((tpl) => {
    if (!needle) return true;
    const body = tpl.components.find((c) => c.type.toUpperCase() === "BODY")?.text ?? "";
    return tpl.name.toLowerCase().includes(needle) || body.toLowerCase().includes(needle);
  });

  return (
    <section className="grid gap-3" aria-labelledby="templates-title" data-testid="templates-section">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div>
          <h2 id="templates-title" className="text-lg font-semibold">
            {t.templates.title}
          </h2>
          <p className="text-sm text-muted-foreground">{t.templates.description}</p>
        </div>
        <Button variant="outline" onClick={() => sync.mutate()} disabled={sync.isPending || !activeId} data-testid="templates-sync">
          {sync.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : <RefreshCw aria-hidden="true" />}
          {sync.isPending ? t.templates.syncing : t.templates.sync}
        </Button>
      </div>
      <div className="flex flex-wrap gap-2">
        {numbers.length > 1 ? (
          <Select aria-label={t.templates.number} value={activeId} onChange={(e) => setNumberId(e.target.value)} className="w-auto min-w-56">
            {numbers.map((n) => (
              <option key={n.id} value={n.id}>
                {formatPhone(n.display_phone_number)}
                {n.label ? ` (${n.label})` : ""}
              </option>
            ))}
          </Select>
        ) : null}
        <div className="relative min-w-56 flex-1">
          <Search className="pointer-events-none absolute left-2.5 top-1/2 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden="true" />
          <Input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t.templates.search} aria-label={t.templates.search} className="pl-8" />
        </div>
      </div>
      {templates.isPending ? (
        <Skeleton className="h-32" />
      ) : templates.isError ? (
        <p role="alert" className="text-sm">
          {t.templates.loadError} {describeError(templates.error, m)}
        </p>
      ) : list.length === 0 ? (
        <p className="rounded-xl border border-dashed p-6 text-center text-sm text-muted-foreground">{t.templates.none}</p>
      ) : (
        <div className="overflow-x-auto rounded-xl border">
          <table className="w-full min-w-[40rem] text-sm" data-testid="templates-table">
            <thead className="bg-muted/60 text-left text-xs text-muted-foreground">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">{t.templates.name}</th>
                <th scope="col" className="px-4 py-2 font-medium">{t.templates.language}</th>
                <th scope="col" className="px-4 py-2 font-medium">{t.templates.category}</th>
                <th scope="col" className="px-4 py-2 font-medium">{t.templates.status}</th>
                <th scope="col" className="px-4 py-2 font-medium">{t.templates.body}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((tpl) => (
                <tr key={tpl.id} className="border-t align-top" data-testid="template-row" data-template-name={tpl.name}>
                  <th scope="row" className="px-4 py-2.5 text-left font-mono text-xs font-medium">{tpl.name}</th>
                  <td className="px-4 py-2.5">{tpl.language}</td>
                  <td className="px-4 py-2.5">{tpl.category ?? "—"}</td>
                  <td className="px-4 py-2.5">
                    <Badge variant="outline" className={cn(STATUS_CLASS[tpl.status.toUpperCase()])}>
                      {t.templates.statuses[tpl.status.toUpperCase()] ?? tpl.status}
                    </Badge>
                  </td>
                  <td className="max-w-md px-4 py-2.5 text-muted-foreground">
                    <span className="line-clamp-2">{tpl.components.find((c) => c.type.toUpperCase() === "BODY")?.text ?? ""}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
