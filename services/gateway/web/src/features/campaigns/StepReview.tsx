import { TriangleAlert } from "lucide-react";
import type { ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatDateTime, formatNumber, formatPhone } from "@/i18n/format";
import { useAudienceCount, useSegments } from "./hooks";
import { campaignsMessages } from "./i18n";
import { useSenders } from "./StepChannel";
import { withoutFallback } from "./variables";
import { type Step, toAudience, type WizardState, zonedToUtc } from "./wizard";

function Row({ label, children, onEdit }: { label: string; children: ReactNode; onEdit: () => void }) {
  const t = useMessages(campaignsMessages);
  return (
    <div className="grid gap-1 border-b py-3 last:border-b-0 sm:grid-cols-[10rem_minmax(0,1fr)_auto] sm:items-start sm:gap-4">
      <dt className="text-sm font-medium text-muted-foreground">{label}</dt>
      <dd className="min-w-0 text-sm">{children}</dd>
      <dd>
        <Button type="button" variant="link" size="sm" className="h-auto px-0" onClick={onEdit} aria-label={`${t.review.edit}: ${label}`}>
          {t.review.edit}
        </Button>
      </dd>
    </div>
  );
}

/** Step 5: everything on one page, each part with a way back to change it. */
export function StepReview({ state, goTo }: { state: WizardState; goTo: (step: Step) => void }) {
  const { lang } = useI18n();
  const t = useMessages(campaignsMessages);
  const senders = useSenders(state.channel);
  const segments = useSegments();
  const count = useAudienceCount(toAudience(state), state.channel, true);
  const texts = state.variants.flatMap((v) => (v.kind === "text" ? [v.text] : Object.values(v.templateValues)));
  const noFallback = withoutFallback(texts.join("\n"));
  const start = state.startMode === "later" ? zonedToUtc(state.startLocal, state.timezone) : null;

  const audience =
    state.audienceMode === "segment"
      ? (segments.data ?? []).find((s) => s.id === state.segmentId)?.name ?? state.segmentId
      : state.audienceMode === "upload"
        ? `${t.audience.modes.upload}${state.upload?.name ? `: ${state.upload.name}` : ""}`
        : state.audienceMode === "all"
          ? t.audience.modes.all
        : [
            state.tagsInclude.length ? `${t.audience.tagsInclude} (${t.audience.tagsMatch[state.tagsMatch]}): ${state.tagsInclude.join(", ")}` : null,
            state.tagsExclude.length ? `${t.audience.tagsExclude}: ${state.tagsExclude.join(", ")}` : null,
            ...state.fields.map((f) => `${f.key} = ${f.value}`),
            state.stageIds.trim() ? `${t.audience.stage}: ${state.stageIds}` : null,
            state.activity !== "any" ? `${t.audience.activity}: ${t.audience.activities[state.activity]} ${state.activityDays} ${t.audience.days}` : null,
          ]
            .filter(Boolean)
            .join(" · ");

  return (
    <div className="grid max-w-3xl gap-4">
      <h2 className="text-lg font-semibold">{t.review.title}</h2>
      {count.data ? (
        <p className="rounded-lg border bg-accent/40 p-3 text-sm font-medium" data-testid="review-count">
          {t.review.confirm(formatNumber(count.data.sendable, lang))}
        </p>
      ) : null}
      {noFallback.length ? (
        <p className="flex items-start gap-2 rounded-lg border border-warning/50 p-3 text-sm">
          <TriangleAlert className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden="true" />
          {t.review.warnNoFallback} ({noFallback.join(", ")})
        </p>
      ) : null}
      <dl className="rounded-xl border px-4">
        <Row label={t.review.name} onEdit={() => goTo("channel")}>
          {state.name}
        </Row>
        <Row label={t.review.channel} onEdit={() => goTo("channel")}>
          {t.channelStep.channels[state.channel]}
          {state.senderIds.length ? (
            <span className="block text-muted-foreground">
              {state.senderIds.map((id) => {
                const s = senders.data.find((x) => x.id === id);
                return s ? formatPhone(s.phone) : id;
              }).join(", ")}
            </span>
          ) : null}
        </Row>
        <Row label={t.review.audience} onEdit={() => goTo("audience")}>
          {audience}
        </Row>
        <Row label={t.review.message} onEdit={() => goTo("message")}>
          {state.abTest ? <span className="mb-1 block font-medium">{t.review.variants(state.variants.length)}</span> : null}
          <ul className="grid gap-1">
            {state.variants.slice(0, state.abTest ? undefined : 1).map((v) => (
              <li key={v.name} className="line-clamp-3 whitespace-pre-wrap break-words">
                {state.abTest ? `${v.name} (${v.weight}%): ` : ""}
                {v.kind === "template" ? <span className="font-mono">{v.template?.name ?? v.pendingTemplate?.name}</span> : v.text}
              </li>
            ))}
          </ul>
        </Row>
        <Row label={t.review.when} onEdit={() => goTo("schedule")}>
          <span className="block">{start ? `${formatDateTime(start, lang)} (${state.timezone.replaceAll("_", " ")})` : t.review.now}</span>
          <span className="block text-muted-foreground">
            {t.review.pace(formatNumber(state.messagesPerSecond, lang))}
            {state.quietHours ? ` · ${t.review.quiet(state.quietStart, state.quietEnd)}` : ""}
            {" · "}
            {state.days.length === 7 ? t.review.everyDay : state.days.map((d) => t.schedule.dayNames[d]).join(", ")}
          </span>
        </Row>
      </dl>
    </div>
  );
}
