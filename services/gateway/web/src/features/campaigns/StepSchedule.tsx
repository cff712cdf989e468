import { Clock } from "lucide-react";
import { useMemo } from "react";
import { useTenantTimeZone } from "@/app/session";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { useMessages } from "@/i18n/feature";
import { timeZoneOptions, zoneLabel } from "@/lib/timezones";
import { cn } from "@/lib/utils";
import { formatDuration } from "./format";
import { useAudienceCount } from "./hooks";
import { campaignsMessages } from "./i18n";
import type { StepProps } from "./stepProps";
import { estimatedSeconds, toAudience } from "./wizard";

/** Every IANA zone the browser knows, the current one and the tenant's first (then Brazil's). */
export function useTimeZones(current: string): string[] {
  const tenantZone = useTenantTimeZone();
  return useMemo(() => timeZoneOptions(current, tenantZone), [current, tenantZone]);
}

/** Step 4: when and how fast — now or at a time in a zone, quiet hours, sending days, pace. */
export function StepSchedule({ state, set, error }: StepProps) {
  const t = useMessages(campaignsMessages);
  const zones = useTimeZones(state.timezone);
  const tenantZone = useTenantTimeZone();
  const count = useAudienceCount(toAudience(state), state.channel, true);
  const sendable = count.data?.sendable ?? 0;
  const seconds = estimatedSeconds(sendable, Number.isFinite(state.messagesPerSecond) ? state.messagesPerSecond : 0);
  const num = (v: number) => (Number.isFinite(v) ? v : "");

  return (
    <div className="grid max-w-3xl gap-6">
      <fieldset className="grid gap-3">
        <legend className="mb-1 text-sm font-medium">{t.schedule.when}</legend>
        <div className="grid gap-2 sm:grid-cols-2">
          {(["now", "later"] as const).map((mode) => (
            <label
              key={mode}
              className={cn(
                "flex cursor-pointer items-center gap-3 rounded-lg border p-3 text-sm hover:bg-accent/50 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring",
                state.startMode === mode && "border-primary bg-accent/40",
              )}
            >
              <input
                type="radio"
                name="start"
                checked={state.startMode === mode}
                onChange={() => set((s) => ({ ...s, startMode: mode }))}
                className="size-4 accent-[var(--primary)]"
                data-testid={`start-${mode}`}
              />
              <span className="font-medium">{mode === "now" ? t.schedule.now : t.schedule.later}</span>
            </label>
          ))}
        </div>
        {state.startMode === "later" ? (
          <div className="grid items-start gap-3 sm:grid-cols-2">
            <Field label={t.schedule.at} error={error("startLocal")}>
              {(ids) => (
                <Input {...ids} type="datetime-local" value={state.startLocal} onChange={(e) => set((s) => ({ ...s, startLocal: e.target.value }))} data-testid="start-at" />
              )}
            </Field>
            <Field label={t.schedule.timezone} hint={t.schedule.companyZone(zoneLabel(tenantZone))}>
              {(ids) => (
                <Select {...ids} value={state.timezone} onChange={(e) => set((s) => ({ ...s, timezone: e.target.value }))} data-testid="schedule-timezone">
                  {zones.map((z) => (
                    <option key={z} value={z}>
                      {zoneLabel(z)}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          </div>
        ) : null}
      </fieldset>

      <fieldset className="grid gap-3 rounded-lg border p-4">
        <legend className="sr-only">{t.schedule.quietHours}</legend>
        <label className="flex items-center gap-3 text-sm">
          <Switch checked={state.quietHours} onCheckedChange={(on) => set((s) => ({ ...s, quietHours: on }))} aria-describedby="quiet-hint" data-testid="quiet-toggle" />
          <span className="grid">
            <span className="font-medium">{t.schedule.quietHours}</span>
            <span id="quiet-hint" className="text-xs text-muted-foreground">
              {t.schedule.quietHint}
            </span>
          </span>
        </label>
        {state.quietHours ? (
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <span>{t.schedule.quietFrom}</span>
            <Input type="time" value={state.quietStart} onChange={(e) => set((s) => ({ ...s, quietStart: e.target.value }))} className="w-32" aria-label={t.schedule.quietFrom} />
            <span>{t.schedule.quietTo}</span>
            <Input type="time" value={state.quietEnd} onChange={(e) => set((s) => ({ ...s, quietEnd: e.target.value }))} className="w-32" aria-label={t.schedule.quietTo} />
            <span className="text-muted-foreground">({zoneLabel(state.timezone)})</span>
          </div>
        ) : null}
        {error("quietHours") ? (
          <p className="text-xs font-medium text-destructive" data-field-error>
            {error("quietHours")}
          </p>
        ) : null}
      </fieldset>

      <fieldset className="grid gap-2">
        <legend className="mb-1 text-sm font-medium">{t.schedule.days}</legend>
        <div className="flex flex-wrap gap-1.5">
          {t.schedule.dayNames.map((label, day) => {
            const on = state.days.includes(day);
            return (
              <button
                key={day}
                type="button"
                aria-pressed={on}
                aria-label={t.schedule.dayLong[day]}
                onClick={() => set((s) => ({ ...s, days: on ? s.days.filter((d) => d !== day) : [...s.days, day].sort((a, b) => a - b) }))}
                className={cn(
                  "h-9 min-w-12 rounded-md border px-2 text-sm font-medium transition-colors",
                  on ? "border-primary bg-primary text-primary-foreground" : "text-muted-foreground hover:bg-accent",
                )}
              >
                {label}
              </button>
            );
          })}
        </div>
        {error("days") ? (
          <p className="text-xs font-medium text-destructive" data-field-error>
            {error("days")}
          </p>
        ) : null}
      </fieldset>

      <div className="grid gap-2">
        <Field label={t.schedule.pace} hint={t.schedule.paceHint} error={error("messagesPerSecond")} className="max-w-xs">
          {(ids) => (
            <Input
              {...ids}
              type="number"
              min={1}
              max={1000}
              value={num(state.messagesPerSecond)}
              onChange={(e) => set((s) => ({ ...s, messagesPerSecond: e.target.valueAsNumber }))}
              data-testid="messages-per-second"
            />
          )}
        </Field>
        {sendable > 0 && seconds > 0 ? (
          <p className="flex items-center gap-2 text-sm" data-testid="estimated-duration">
            <Clock className="size-4 text-muted-foreground" aria-hidden="true" />
            {t.schedule.duration(formatDuration(seconds, t.duration))}
            <span className="text-xs text-muted-foreground">({t.schedule.durationNote})</span>
          </p>
        ) : null}
      </div>

      <details className="rounded-lg border p-4">
        <summary className="cursor-pointer text-sm font-medium">{t.schedule.advanced}</summary>
        <div className="mt-4 grid items-start gap-4 sm:grid-cols-2">
          <Field label={t.schedule.duplicateWindow} hint={t.schedule.duplicateHint} error={error("duplicateWindowHours")}>
            {(ids) => (
              <Input
                {...ids}
                type="number"
                min={0}
                max={720}
                value={num(state.duplicateWindowHours)}
                onChange={(e) => set((s) => ({ ...s, duplicateWindowHours: e.target.valueAsNumber }))}
              />
            )}
          </Field>
          <Field label={t.schedule.attempts} error={error("maxAttempts")}>
            {(ids) => (
              <Input {...ids} type="number" min={1} max={10} value={num(state.maxAttempts)} onChange={(e) => set((s) => ({ ...s, maxAttempts: e.target.valueAsNumber }))} />
            )}
          </Field>
        </div>
      </details>
    </div>
  );
}
