import type { Language } from "./detect";

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>();

function memo<T extends Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T {
  let value = cache.get(key) as T | undefined;
  if (!value) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

const dtf = (lang: Language, options: Intl.DateTimeFormatOptions) =>
  memo(`dtf|${lang}|${JSON.stringify(options)}`, () => new Intl.DateTimeFormat(lang, options));

function startOfDay(date: Date): number {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

const DAY_MS = 86_400_000;

/** Calendar days between two dates in local time (0 = same day, 1 = yesterday). */
export function daysBetween(date: Date, now: Date): number {
  return Math.round((startOfDay(now) - startOfDay(date)) / DAY_MS);
}

export function formatNumber(value: number, lang: Language, options?: Intl.NumberFormatOptions): string {
  return memo(`nf|${lang}|${JSON.stringify(options ?? {})}`, () => new Intl.NumberFormat(lang, options)).format(value);
}

/** Unread counts: 1..99, then "99+" (digits in the locale). */
export function formatCount(value: number, lang: Language): string {
  return value > 99 ? `${formatNumber(99, lang)}+` : formatNumber(value, lang);
}

export function formatTime(date: Date, lang: Language): string {
  return dtf(lang, { hour: "2-digit", minute: "2-digit" }).format(date);
}

export function formatDate(date: Date, lang: Language, now = new Date()): string {
  const sameYear = date.getFullYear() === now.getFullYear();
  return dtf(lang, sameYear ? { day: "numeric", month: "short" } : { day: "numeric", month: "short", year: "numeric" }).format(date);
}

export function formatDateTime(date: Date, lang: Language): string {
  return dtf(lang, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/**
 * The time in an inbox row, relative while it is recent: "agora" / "há 5 min" under an hour,
 * the clock time today, "ontem", the weekday within a week, else the date.
 */
export function formatListTime(date: Date, lang: Language, now = new Date()): string {
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  const rtf = memo(`rtf|${lang}`, () => new Intl.RelativeTimeFormat(lang, { numeric: "auto", style: "short" }));
  if (seconds < 45 && seconds > -60) return rtf.format(0, "second");
  if (seconds < 3600 && seconds > 0) return rtf.format(-Math.max(1, Math.round(seconds / 60)), "minute");
  const days = daysBetween(date, now);
  if (days <= 0) return formatTime(date, lang);
  if (days === 1) return rtf.format(-1, "day");
  if (days < 7) return dtf(lang, { weekday: "short" }).format(date);
  return formatDate(date, lang, now);
}

/** A day separator in a thread: "Hoje", "Ontem", or the full date. */
export function formatDayLabel(date: Date, lang: Language, now = new Date()): string {
  const days = daysBetween(date, now);
  if (days === 0 || days === 1) {
    const text = memo(`rtfl|${lang}`, () => new Intl.RelativeTimeFormat(lang, { numeric: "auto" })).format(-days, "day");
    return text.charAt(0).toLocaleUpperCase(lang) + text.slice(1);
  }
  return dtf(lang, { weekday: "long", day: "numeric", month: "long", year: date.getFullYear() === now.getFullYear() ? undefined : "numeric" }).format(date);
}

/**
 * Phone numbers displayed as people write them (libphonenumber-style international format) from E.164:
 * "+55 11 98765-4321", "+55 11 3456-7890", "+1 415-555-0100"; other countries stay in E.164.
 */
export function formatPhone(e164: string | null | undefined): string {
  if (!e164) return "";
  const digits = e164.replace(/\D/g, "");
  if (!e164.trim().startsWith("+") && digits.length < 8) return e164;
  if (digits.startsWith("55") && (digits.length === 12 || digits.length === 13)) {
    const area = digits.slice(2, 4);
    const local = digits.slice(4);
    const cut = local.length - 4;
    return `+55 ${area} ${local.slice(0, cut)}-${local.slice(cut)}`;
  }
  if (digits.startsWith("1") && digits.length === 11) {
    return `+1 ${digits.slice(1, 4)}-${digits.slice(4, 7)}-${digits.slice(7)}`;
  }
  return e164;
}
