/** Numbers the campaign pages show, in the user's language. Pure. */
import type { Language } from "@/i18n/detect";
import { formatNumber } from "@/i18n/format";
import type { CampaignWords } from "./i18n";

/** A share (0..1) as a percentage: "97,5%" — one decimal under 10 %, and "—" when there is nothing to divide. */
export function formatRate(value: number | null | undefined, lang: Language): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const pct = value * 100;
  return formatNumber(value, lang, { style: "percent", maximumFractionDigits: pct > 0 && pct < 10 ? 1 : 0 });
}

/** A duration in words: "45 s", "12 min", "3 h 20 min", "2 dias", "1 dia 4 h" (rounded up to the minute past a minute). */
export function formatDuration(seconds: number, words: CampaignWords["duration"]): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return words.seconds(s);
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return words.minutes(minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 24 || minutes % 60) return words.hours(hours, minutes % 60);
  return words.days(Math.floor(hours / 24), hours % 24);
}

/** A money amount in its currency ("US$ 7,90" in Portuguese). */
export function formatMoney(value: number, currency: string, lang: Language): string {
  try {
    return formatNumber(value, lang, { style: "currency", currency, maximumFractionDigits: value < 1 ? 4 : 2 });
  } catch {
    return `${formatNumber(value, lang)} ${currency}`;
  }
}
