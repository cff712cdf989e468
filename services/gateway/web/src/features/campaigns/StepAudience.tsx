import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { FileUp, LoaderCircle, Plus, Save, Trash2, Users, X } from "lucide-react";
import { type ChangeEvent, useEffect, useId, useState } from "react";
import { toast } from "sonner";
import { type AudienceCount, campaignKeys, campaignsApi } from "@/api/campaigns";
import { useTenantId } from "@/app/session";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { useContactTags } from "@/features/contacts/hooks";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatNumber, formatPhone } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { cn } from "@/lib/utils";
import { useAudienceCount, useSegments } from "./hooks";
import { campaignsMessages } from "./i18n";
import type { StepProps } from "./stepProps";
import { toAudience, type WizardState } from "./wizard";

function TagPicker({
  label,
  value,
  onChange,
  testId,
}: {
  label: string;
  value: string[];
  onChange: (tags: string[]) => void;
  testId: string;
}) {
  const t = useMessages(campaignsMessages);
  const tags = useContactTags();
  const id = useId();
  const options = (tags.data ?? []).filter((x) => !value.includes(x.tag));
  return (
    <div className="grid gap-1.5" data-testid={testId}>
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      {value.length ? (
        <ul className="flex flex-wrap gap-1.5">
          {value.map((tag) => (
            <li key={tag} className="inline-flex items-center gap-1 rounded-full bg-secondary py-0.5 pl-2.5 pr-1 text-sm text-secondary-foreground" data-testid="tag-chip">
              {tag}
              <button type="button" onClick={() => onChange(value.filter((x) => x !== tag))} aria-label={t.audience.removeTag(tag)} className="rounded-full p-0.5 hover:bg-background">
                <X className="size-3.5" aria-hidden="true" />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <Select
        id={id}
        value=""
        onChange={(e) => e.target.value && onChange([...value, e.target.value])}
        disabled={tags.isPending}
        data-testid={`${testId}-select`}
      >
        <option value="">{tags.data && tags.data.length === 0 ? t.audience.noTags : t.audience.addTag}</option>
        {options.map((x) => (
          <option key={x.tag} value={x.tag}>
            {x.tag} ({x.count})
          </option>
        ))}
      </Select>
    </div>
  );
}

/** The live count beside the filters: who will receive it, and who is left out and why. */
export function AudienceCountPanel({ state, enabled }: { state: WizardState; enabled: boolean }) {
  const { m, lang } = useI18n();
  const t = useMessages(campaignsMessages);
  const count = useAudienceCount(toAudience(state), state.channel, enabled);
  const n = (v: number) => formatNumber(v, lang);
  const data: AudienceCount | undefined = count.data;
  return (
    <aside
      aria-label={t.audience.count}
      aria-live="polite"
      className="grid content-start gap-2 rounded-xl border bg-card p-4"
      data-testid="audience-count"
      data-sendable={data && !count.isPlaceholderData ? data.sendable : undefined}
    >
      <span className="flex items-center gap-2 text-sm font-medium text-muted-foreground">
        <Users className="size-4" aria-hidden="true" />
        {t.audience.count}
        {count.isFetching ? <LoaderCircle className="size-3.5 animate-spin" aria-label={t.audience.counting} /> : null}
      </span>
      {!enabled ? (
        <p className="text-sm text-muted-foreground">{t.audience.everyone}</p>
      ) : count.isPending ? (
        <Skeleton className="h-9 w-24" />
      ) : count.isError && !data ? (
        <p className="text-sm text-muted-foreground" role="alert">
          {t.audience.countError} {describeError(count.error, m)}
        </p>
      ) : data ? (
        <>
          <p className={cn("flex items-baseline gap-2", count.isPlaceholderData && "opacity-60")}>
            <span className="text-3xl font-semibold tabular-nums" data-testid="audience-sendable">
              {n(data.sendable)}
            </span>
            <span className="text-sm text-muted-foreground">{t.audience.sendable}</span>
          </p>
          <ul className="grid gap-0.5 text-xs text-muted-foreground">
            <li>{t.audience.total(n(data.total))}</li>
            {data.opted_out ? <li>{t.audience.optedOut(n(data.opted_out))}</li> : null}
            {data.invalid ? <li>{t.audience.invalid(n(data.invalid))}</li> : null}
          </ul>
          {data.sendable === 0 ? <p className="text-sm">{t.audience.nobody}</p> : null}
        </>
      ) : null}
    </aside>
  );
}

function SaveSegment({ state }: { state: WizardState }) {
  const { m } = useI18n();
  const t = useMessages(campaignsMessages);
  const tenantId = useTenantId();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const save = useMutation({
    mutationFn: () => campaignsApi.createSegment({ name: name.trim(), filter: toAudience(state).filter ?? {} }),
    onSuccess: (segment) => {
      toast.success(t.audience.segmentSaved(segment.name));
      setOpen(false);
      setName("");
      void client.invalidateQueries({ queryKey: campaignKeys.segments(tenantId) });
    },
    onError: (error) => toast.error(describeError(error, m)),
  });
  if (!open) {
    return (
      <Button type="button" variant="outline" size="sm" onClick={() => setOpen(true)} className="w-fit">
        <Save aria-hidden="true" />
        {t.audience.saveSegment}
      </Button>
    );
  }
  return (
    <div className="flex flex-wrap items-end gap-2">
      <Field label={t.audience.segmentName} className="min-w-48 flex-1">
        {(ids) => <Input {...ids} value={name} onChange={(e) => setName(e.target.value)} maxLength={120} autoFocus />}
      </Field>
      <Button type="button" size="sm" disabled={!name.trim() || save.isPending} onClick={() => save.mutate()}>
        {save.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
        {t.audience.saveSegment}
      </Button>
      <Button type="button" variant="ghost" size="sm" onClick={() => setOpen(false)}>
        {m.app.close}
      </Button>
    </div>
  );
}

function Upload({ state, set, error }: StepProps) {
  const { m, lang } = useI18n();
  const t = useMessages(campaignsMessages);
  const upload = useMutation({
    mutationFn: (file: File) => campaignsApi.upload(file),
    onSuccess: (result) => set((s) => ({ ...s, upload: result })),
    onError: (err) => toast.error(describeError(err, m)),
  });
  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (file) upload.mutate(file);
    e.target.value = "";
  };
  const tenantId = useTenantId();
  // A draft names its upload only: its report is read again.
  const known = useQuery({
    queryKey: campaignKeys.upload(tenantId, state.upload?.upload_id ?? ""),
    queryFn: ({ signal }) => campaignsApi.getUpload(state.upload!.upload_id, signal),
    enabled: Boolean(state.upload && state.upload.matched < 0),
  });
  useEffect(() => {
    if (known.data && state.upload && state.upload.matched < 0 && known.data.upload_id === state.upload.upload_id) {
      const data = known.data;
      set((s) => ({ ...s, upload: data }));
    }
  }, [known.data, state.upload, set]);
  const result = state.upload;
  return (
    <div className="grid gap-3">
      <Field label={t.audience.upload} hint={t.audience.uploadHint} error={error("upload")}>
        {(ids) => (
          <Input {...ids} type="file" accept=".csv,text/csv" onChange={onFile} disabled={upload.isPending} className="h-auto py-1.5" data-testid="audience-upload" />
        )}
      </Field>
      {upload.isPending ? (
        <p role="status" className="flex items-center gap-2 text-sm text-muted-foreground">
          <LoaderCircle className="size-4 animate-spin" aria-hidden="true" />
          {t.audience.uploading}
        </p>
      ) : result ? (
        <div className="grid gap-1 rounded-md border p-3 text-sm" data-testid="upload-result">
          {result.matched < 0 ? (
            <p className="flex items-center gap-2">
              <FileUp className="size-4" aria-hidden="true" />
              {t.audience.uploadedBefore}
            </p>
          ) : (
            <p>
              {result.name ? <span className="font-medium">{result.name}: </span> : null}
              {t.audience.uploadResult(formatNumber(result.rows, lang), formatNumber(result.matched, lang))}
            </p>
          )}
          {result.unmatched.length ? (
            <details>
              <summary className="cursor-pointer text-muted-foreground">{t.audience.unmatched(formatNumber(result.unmatched_count ?? result.unmatched.length, lang))}</summary>
              <ul className="mt-1 grid gap-0.5 text-xs text-muted-foreground">
                {result.unmatched.slice(0, 50).map((u) => (
                  <li key={u.row}>{t.audience.unmatchedRow(u.row, formatPhone(u.phone), t.audience.unmatchedReasons[u.reason] ?? u.reason)}</li>
                ))}
              </ul>
            </details>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** Step 2: who receives the campaign (filters, a saved segment or a CSV), with a live count beside it. */
export function StepAudience(props: StepProps) {
  const { state, set, error } = props;
  const t = useMessages(campaignsMessages);
  const segments = useSegments();
  const modes = ["filter", "segment", "upload", "all"] as const;
  const hasCriterion =
    state.audienceMode !== "filter" ||
    state.tagsInclude.length > 0 ||
    state.tagsExclude.length > 0 ||
    state.fields.some((f) => f.key && f.value) ||
    state.stageIds.trim() !== "" ||
    state.activity !== "any";
  const countable =
    hasCriterion &&
    (state.audienceMode !== "segment" || Boolean(state.segmentId)) &&
    (state.audienceMode !== "upload" || Boolean(state.upload && state.upload.upload_id));

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_16rem]">
      <div className="grid content-start gap-6">
        <div role="radiogroup" aria-label={t.audience.mode} className="grid grid-cols-2 gap-0.5 rounded-md bg-muted p-0.5 text-sm sm:grid-cols-4">
          {modes.map((mode) => (
            <button
              key={mode}
              type="button"
              role="radio"
              aria-checked={state.audienceMode === mode}
              onClick={() => set((s) => ({ ...s, audienceMode: mode }))}
              className={cn(
                "truncate rounded-[calc(var(--radius)-4px)] px-2 py-1.5 font-medium text-muted-foreground transition-colors hover:text-foreground",
                state.audienceMode === mode && "bg-background text-foreground shadow-xs",
              )}
              data-testid={`audience-mode-${mode}`}
            >
              {t.audience.modes[mode]}
            </button>
          ))}
        </div>

        {state.audienceMode === "filter" ? (
          <div className="grid gap-5">
            <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_10rem] sm:items-end">
              <TagPicker label={t.audience.tagsInclude} value={state.tagsInclude} onChange={(tags) => set((s) => ({ ...s, tagsInclude: tags }))} testId="tags-include" />
              <Field label={t.audience.tagsMatchLabel}>
                {(ids) => (
                  <Select {...ids} value={state.tagsMatch} onChange={(e) => set((s) => ({ ...s, tagsMatch: e.target.value as "any" | "all" }))}>
                    <option value="any">{t.audience.tagsMatch.any}</option>
                    <option value="all">{t.audience.tagsMatch.all}</option>
                  </Select>
                )}
              </Field>
            </div>
            <TagPicker label={t.audience.tagsExclude} value={state.tagsExclude} onChange={(tags) => set((s) => ({ ...s, tagsExclude: tags }))} testId="tags-exclude" />

            <fieldset className="grid gap-2">
              <legend className="mb-1 text-sm font-medium">{t.audience.fields}</legend>
              {state.fields.map((f, i) => (
                <div key={i} className="grid grid-cols-[minmax(0,1fr)_minmax(0,1fr)_auto] items-start gap-2">
                  <Field label={<span className="sr-only">{t.audience.fieldKey}</span>} error={error(`fields.${i}.key`)}>
                    {(ids) => (
                      <Input
                        {...ids}
                        placeholder={t.audience.fieldKey}
                        value={f.key}
                        onChange={(e) => set((s) => ({ ...s, fields: s.fields.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)) }))}
                      />
                    )}
                  </Field>
                  <Field label={<span className="sr-only">{t.audience.fieldValue}</span>} error={error(`fields.${i}.value`)}>
                    {(ids) => (
                      <Input
                        {...ids}
                        placeholder={t.audience.fieldValue}
                        value={f.value}
                        onChange={(e) => set((s) => ({ ...s, fields: s.fields.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)) }))}
                      />
                    )}
                  </Field>
                  <Button
                    type="button"
                    variant="ghost"
                    size="icon"
                    aria-label={t.audience.removeField}
                    onClick={() => set((s) => ({ ...s, fields: s.fields.filter((_, j) => j !== i) }))}
                  >
                    <Trash2 aria-hidden="true" />
                  </Button>
                </div>
              ))}
              <Button type="button" variant="outline" size="sm" className="w-fit" onClick={() => set((s) => ({ ...s, fields: [...s.fields, { key: "", value: "" }] }))}>
                <Plus aria-hidden="true" />
                {t.audience.addField}
              </Button>
            </fieldset>

            <div className="grid items-start gap-4 sm:grid-cols-2">
              <Field label={t.audience.activity} error={error("activityDays")}>
                {(ids) => (
                  <div className="flex gap-2">
                    <Select
                      {...ids}
                      value={state.activity}
                      onChange={(e) => set((s) => ({ ...s, activity: e.target.value as WizardState["activity"] }))}
                      className="flex-1"
                    >
                      {(["any", "active", "inactive"] as const).map((a) => (
                        <option key={a} value={a}>
                          {t.audience.activities[a]}
                        </option>
                      ))}
                    </Select>
                    {state.activity !== "any" ? (
                      <span className="flex items-center gap-1.5 text-sm">
                        <Input
                          type="number"
                          min={1}
                          max={3650}
                          value={Number.isFinite(state.activityDays) ? state.activityDays : ""}
                          onChange={(e) => set((s) => ({ ...s, activityDays: e.target.valueAsNumber }))}
                          className="w-20"
                          aria-label={t.audience.daysLabel}
                        />
                        {t.audience.days}
                      </span>
                    ) : null}
                  </div>
                )}
              </Field>
              <Field label={t.audience.stage} hint={t.audience.stageHint} error={error("stageIds")}>
                {(ids) => <Input {...ids} value={state.stageIds} onChange={(e) => set((s) => ({ ...s, stageIds: e.target.value }))} spellCheck={false} />}
              </Field>
            </div>
            {error("criteria") ? (
              <p className="text-sm font-medium text-destructive" data-field-error>
                {error("criteria")}
              </p>
            ) : null}
            {hasCriterion ? <SaveSegment state={state} /> : null}
          </div>
        ) : null}

        {state.audienceMode === "segment" ? (
          <Field label={t.audience.segment} error={error("segment")} hint={segments.data && segments.data.length === 0 ? t.audience.noSegments : undefined}>
            {(ids) => (
              <Select {...ids} value={state.segmentId} onChange={(e) => set((s) => ({ ...s, segmentId: e.target.value }))} disabled={segments.isPending} data-testid="segment-select">
                <option value="">{t.audience.pickSegment}</option>
                {(segments.data ?? []).map((seg) => (
                  <option key={seg.id} value={seg.id}>
                    {seg.name}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        ) : null}

        {state.audienceMode === "upload" ? <Upload {...props} /> : null}
        {state.audienceMode === "all" ? <p className="rounded-md border p-3 text-sm text-muted-foreground">{t.audience.allHint}</p> : null}
      </div>
      <div className="lg:sticky lg:top-0 lg:self-start">
        <AudienceCountPanel state={state} enabled={countable} />
      </div>
    </div>
  );
}
