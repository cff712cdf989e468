import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CircleAlert, CircleCheck, Download, LoaderCircle, Upload } from "lucide-react";
import { type FormEvent, useId, useMemo, useState } from "react";
import { contactsApi } from "@/api/contacts";
import { keys } from "@/api/keys";
import { useTenantId } from "@/app/session";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Progress } from "@/components/ui/progress";
import { Select } from "@/components/ui/select";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatNumber } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { useLiveStatus } from "@/live/LiveEvents";
import { COUNTRIES, parseTags } from "./contactPatch";
import { type CsvPreview, guessMapping, mappingForApi, type MappingTarget, previewCsv, slug, validateMapping } from "./csv";
import { contactsMessages, type ContactsWords } from "./i18n";
import { type ImportProgress, isFinished, percent, reduceImport, toProgress } from "./importProgress";

const HEAD_BYTES = 64 * 1024;

/**
 * An import's progress: `contact.import_progressed` events write into this query's cache (src/live/patch.ts);
 * the poll is the fallback (slow while the live stream is up, quick when it is not), and stops at the end.
 */
function useImportProgress(importId: string) {
  const tenantId = useTenantId();
  const client = useQueryClient();
  const live = useLiveStatus();
  const key = keys.contactImport(tenantId, importId);
  return useQuery({
    queryKey: key,
    queryFn: async ({ signal }) =>
      reduceImport(client.getQueryData<ImportProgress>(key), toProgress(await contactsApi.importStatus(importId, signal), importId)),
    refetchInterval: (query) => (isFinished(query.state.data) ? false : live === "connected" ? 5_000 : 1_500),
    staleTime: 0,
  });
}

function ProgressView({ importId, onAnother, onClose }: { importId: string; onAnother: () => void; onClose: () => void }) {
  const { m, lang } = useI18n();
  const t = useMessages(contactsMessages);
  const progress = useImportProgress(importId).data;
  const labelId = useId();
  const value = percent(progress);
  const state = progress?.state ?? "queued";
  const n = (x: number) => formatNumber(x, lang);
  return (
    <div className="grid gap-4" data-testid="import-progress" data-state={state}>
      <p id={labelId} className="flex items-center gap-2 font-medium" aria-live="polite">
        {state === "completed" ? (
          <CircleCheck className="size-5 text-success" aria-hidden="true" />
        ) : state === "failed" ? (
          <CircleAlert className="size-5 text-destructive" aria-hidden="true" />
        ) : (
          <LoaderCircle className="size-5 animate-spin text-muted-foreground" aria-hidden="true" />
        )}
        {t.import[state]}
      </p>
      <Progress value={value} aria-labelledby={labelId} aria-valuetext={`${value}%`} data-testid="import-progress-bar" />
      <dl className="grid grid-cols-3 gap-2 text-center text-sm">
        <div className="rounded-md border p-2">
          <dt className="sr-only">{t.import.progress}</dt>
          <dd data-testid="import-processed">{t.import.processed(n(progress?.processed_rows ?? 0), n(progress?.total_rows ?? 0))}</dd>
        </div>
        <div className="rounded-md border p-2">
          <dt className="sr-only">{t.import.imported("")}</dt>
          <dd className="text-success" data-testid="import-imported" data-count={progress?.imported_rows ?? 0}>
            {t.import.imported(n(progress?.imported_rows ?? 0))}
          </dd>
        </div>
        <div className="rounded-md border p-2">
          <dt className="sr-only">{t.import.failedRows("")}</dt>
          <dd className={progress?.failed_rows ? "text-destructive" : undefined} data-testid="import-failed" data-count={progress?.failed_rows ?? 0}>
            {t.import.failedRows(n(progress?.failed_rows ?? 0))}
          </dd>
        </div>
      </dl>
      {progress?.error ? <p className="text-sm text-destructive">{progress.error}</p> : null}
      {isFinished(progress) && (progress?.failed_rows ?? 0) > 0 ? (
        <Button asChild variant="outline" className="justify-self-start">
          <a href={contactsApi.errorsUrl(importId)} download data-testid="import-errors-link">
            <Download aria-hidden="true" />
            {t.import.errors}
          </a>
        </Button>
      ) : null}
      {!isFinished(progress) ? <p className="text-xs text-muted-foreground">{t.import.backgroundHint}</p> : null}
      <DialogFooter>
        {isFinished(progress) ? (
          <Button type="button" variant="ghost" onClick={onAnother}>
            {t.import.another}
          </Button>
        ) : null}
        <Button type="button" onClick={onClose}>
          {m.app.close}
        </Button>
      </DialogFooter>
    </div>
  );
}

function targetOptions(column: string, t: ContactsWords): { value: MappingTarget; label: string }[] {
  const field = slug(column);
  return [
    { value: "phone", label: t.import.targets.phone! },
    { value: "name", label: t.import.targets.name! },
    { value: "email", label: t.import.targets.email! },
    { value: "tags", label: t.import.targets.tags! },
    ...(field ? [{ value: `custom:${field}` as MappingTarget, label: t.import.custom(field) }] : []),
    { value: "ignore", label: t.import.targets.ignore! },
  ];
}

/**
 * CSV import: choose the file, say what each column is (proposed from the header row, read here), the default
 * country and extra tags; then follow the import live to its counts and error report.
 */
export default function ImportDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { m } = useI18n();
  const t = useMessages(contactsMessages);
  const tenantId = useTenantId();
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<CsvPreview | null>(null);
  const [mapping, setMapping] = useState<Record<string, MappingTarget>>({});
  const [country, setCountry] = useState("BR");
  const [tags, setTags] = useState("");
  const [fileError, setFileError] = useState<string | null>(null);
  const [tried, setTried] = useState(false);
  const [importId, setImportId] = useState<string | null>(null);
  const problems = useMemo(() => validateMapping(mapping), [mapping]);

  const start = useMutation({
    mutationFn: () => contactsApi.startImport(file!, { mapping: mappingForApi(mapping), default_country: country, tags: parseTags(tags) }),
    onSuccess: (started) => {
      const id = started.id;
      client.setQueryData<ImportProgress>(keys.contactImport(tenantId, id), (current) =>
        reduceImport(current, toProgress({ ...started }, id)),
      );
      setImportId(id);
    },
  });

  async function choose(chosen: File | undefined) {
    setFileError(null);
    setPreview(null);
    setFile(chosen ?? null);
    if (!chosen) return;
    try {
      const text = await chosen.slice(0, HEAD_BYTES).text();
      const parsed = previewCsv(text, { maxRows: 3, complete: chosen.size <= HEAD_BYTES, blankName: (n) => `${t.import.column} ${n}` });
      if (!parsed.columns.length) {
        setFileError(t.import.noColumns);
        return;
      }
      setPreview(parsed);
      setMapping(guessMapping(parsed.columns));
    } catch {
      setFileError(t.import.readError);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    if (!file || !preview || problems.length) return;
    start.mutate();
  }

  function reset() {
    setFile(null);
    setPreview(null);
    setMapping({});
    setTried(false);
    setImportId(null);
    start.reset();
  }

  const problemText = problems.map((p) =>
    p.kind === "no_phone"
      ? t.import.noPhone
      : p.kind === "duplicate"
        ? t.import.duplicate(p.target.startsWith("custom:") ? t.import.custom(p.target.slice(7)) : (t.import.targets[p.target] ?? p.target), p.columns.join(", "))
        : t.import.badCustom(p.column),
  );

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={m.app.close} className="sm:max-w-2xl" data-testid="import-dialog">
        <DialogHeader>
          <DialogTitle>{t.import.title}</DialogTitle>
          <DialogDescription>{t.import.description}</DialogDescription>
        </DialogHeader>
        {importId ? (
          <ProgressView importId={importId} onAnother={reset} onClose={() => onOpenChange(false)} />
        ) : (
          <form onSubmit={submit} noValidate className="grid gap-4" aria-label={t.import.title}>
            <Field label={t.import.file} hint={t.import.fileHint} error={fileError ?? (tried && !file ? m.validation.required : null)}>
              {(ids) => (
                <Input
                  {...ids}
                  type="file"
                  accept=".csv,text/csv,text/plain"
                  onChange={(e) => void choose(e.target.files?.[0])}
                  className="h-auto py-1.5 file:mr-3 file:rounded file:border-0 file:bg-secondary file:px-2 file:py-1 file:text-sm file:font-medium"
                  data-testid="import-file"
                />
              )}
            </Field>
            {preview ? (
              <fieldset className="grid gap-2">
                <legend className="text-sm font-medium">{t.import.mapping}</legend>
                <p className="text-xs text-muted-foreground">{t.import.mappingHint}</p>
                <div className="overflow-x-auto rounded-md border">
                  <table className="w-full text-sm">
                    <thead className="bg-muted/60 text-left text-xs text-muted-foreground">
                      <tr>
                        <th scope="col" className="px-3 py-2 font-medium">{t.import.column}</th>
                        <th scope="col" className="px-3 py-2 font-medium">{t.import.example}</th>
                        <th scope="col" className="px-3 py-2 font-medium">
                          <span className="sr-only">{t.import.mapping}</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {preview.columns.map((column, i) => (
                        <tr key={`${column}-${i}`} className="border-t" data-testid="import-column" data-column={column}>
                          <th scope="row" className="px-3 py-2 text-left font-medium">{column}</th>
                          <td className="max-w-40 truncate px-3 py-2 text-muted-foreground">{preview.rows[0]?.[i] ?? ""}</td>
                          <td className="px-3 py-1.5">
                            <Select
                              aria-label={t.import.fillsField(column)}
                              value={mapping[column] ?? "ignore"}
                              onChange={(e) => setMapping((mp) => ({ ...mp, [column]: e.target.value as MappingTarget }))}
                              className="min-w-44"
                            >
                              {targetOptions(column, t).map((o) => (
                                <option key={o.value} value={o.value}>
                                  {o.label}
                                </option>
                              ))}
                            </Select>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                {problemText.length && (tried || problems.some((p) => p.kind !== "no_phone")) ? (
                  <ul role="alert" className="grid gap-1 text-sm font-medium text-destructive" data-testid="import-mapping-errors">
                    {problemText.map((text) => (
                      <li key={text}>{text}</li>
                    ))}
                  </ul>
                ) : null}
              </fieldset>
            ) : null}
            <div className="grid gap-4 sm:grid-cols-2">
              <Field label={t.import.country} hint={t.import.countryHint}>
                {(ids) => (
                  <Select {...ids} value={country} onChange={(e) => setCountry(e.target.value)}>
                    {COUNTRIES.map((c) => (
                      <option key={c} value={c}>
                        {t.countries[c] ?? c} ({c})
                      </option>
                    ))}
                  </Select>
                )}
              </Field>
              <Field label={t.import.extraTags} hint={t.import.extraTagsHint}>
                {(ids) => <Input {...ids} value={tags} onChange={(e) => setTags(e.target.value)} autoComplete="off" />}
              </Field>
            </div>
            {start.isError ? (
              <p role="alert" className="text-sm text-destructive">
                {describeError(start.error, m)}
              </p>
            ) : null}
            <DialogFooter>
              <Button type="button" variant="ghost" onClick={() => onOpenChange(false)}>
                {m.app.close}
              </Button>
              <Button type="submit" disabled={start.isPending} data-testid="import-start">
                {start.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : <Upload aria-hidden="true" />}
                {start.isPending ? t.import.starting : t.import.start}
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
