import { useMutation, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle } from "lucide-react";
import { type FormEvent, useEffect, useMemo, useState } from "react";
import { toast } from "sonner";
import { api, type Me } from "@/api";
import { keys } from "@/api/keys";
import { useMe } from "@/app/session";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { describeError } from "@/lib/errors";
import { DEFAULT_TIMEZONE, timeZoneOptions, zoneLabel } from "@/lib/timezones";
import { tenantMessages } from "./tenantI18n";
import { canChangeTenantSettings, withTenantTimeZone } from "./tenantZone";

/** The company's time zone: every member sees it, owners and admins change it. */
export function TenantTimeZoneCard() {
  const { m } = useI18n();
  const t = useMessages(tenantMessages);
  const client = useQueryClient();
  const { data: me } = useMe();
  const current = me?.tenant?.timezone || DEFAULT_TIMEZONE;
  const allowed = canChangeTenantSettings(me?.role);
  const [value, setValue] = useState(current);
  useEffect(() => setValue(current), [current]);
  const zones = useMemo(() => timeZoneOptions(current), [current]);
  const save = useMutation({
    mutationFn: (timezone: string) => api.changeTenantSettings({ timezone }),
    onSuccess: (tenant) => {
      client.setQueryData<Me | null>(keys.me, (old) => (old ? withTenantTimeZone(old, tenant.id, tenant.timezone) : old));
      toast.success(t.saved(zoneLabel(tenant.timezone)));
    },
    onError: (error) => toast.error(describeError(error, m)),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (allowed && value !== current) save.mutate(value);
  };

  return (
    <Card data-testid="tenant-timezone">
      <CardHeader>
        <CardTitle>{t.title}</CardTitle>
        <CardDescription>{t.description}</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} className="flex flex-wrap items-end gap-2">
          <Field label={t.label} hint={allowed ? undefined : t.onlyManagers} className="min-w-64 flex-1">
            {(ids) => (
              <Select {...ids} value={value} onChange={(e) => setValue(e.target.value)} disabled={!allowed} data-testid="tenant-timezone-select">
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {zoneLabel(z)}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          {allowed ? (
            <Button type="submit" disabled={value === current || save.isPending} data-testid="tenant-timezone-save">
              {save.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
              {t.save}
            </Button>
          ) : null}
        </form>
      </CardContent>
    </Card>
  );
}
