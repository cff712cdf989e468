/**
 * SMS segments as carriers (and Twilio) bill them, for the live counter under the message box: the same rules
 * as services/sms segments.py (GSM-7 160/153 septets, extension characters cost two; anything else makes the
 * whole message UCS-2, 70/67 UTF-16 units; a two-unit character never splits across segments).
 * The server's estimate (POST /campaigns/estimate) has the final word and the cost.
 */
import { withSampleValues } from "./variables";

const GSM7_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM7_EXTENSION = new Set("\f^{}\\[~]|€");

export type Encoding = "GSM-7" | "UCS-2";

export interface SegmentCount {
  encoding: Encoding;
  segments: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  /** Units one segment holds for this message (160/153 or 70/67). */
  perSegment: number;
  /** Units left before the message takes one more segment. */
  remaining: number;
  /** The characters that forced UCS-2, each once (empty for GSM-7). */
  unicodeChars: string[];
}

const isGsm = (ch: string) => GSM7_BASIC.has(ch) || GSM7_EXTENSION.has(ch);

/** The segments a body is billed as; an empty body still takes one. */
export function countSegments(body: string): SegmentCount {
  const chars = Array.from(body); // code points: a surrogate pair is one character here
  const unicodeChars = [...new Set(chars.filter((ch) => !isGsm(ch)))];
  const encoding: Encoding = unicodeChars.length ? "UCS-2" : "GSM-7";
  const widths = chars.map((ch) => (encoding === "GSM-7" ? (GSM7_EXTENSION.has(ch) ? 2 : 1) : ch.length));
  const units = widths.reduce((a, b) => a + b, 0);
  const [single, multi] = encoding === "GSM-7" ? [160, 153] : [70, 67];
  if (units <= single) return { encoding, segments: 1, units, perSegment: single, remaining: single - units, unicodeChars };
  let segments = 1;
  let used = 0;
  for (const width of widths) {
    if (used + width > multi) {
      segments += 1;
      used = 0;
    }
    used += width;
  }
  return { encoding, segments, units, perSegment: multi, remaining: multi - used, unicodeChars };
}

/**
 * The counter for a message with {{variables}}: each variable counted as its fallback, or as a typical value
 * when it has none (a name is about 10 characters). The real size varies per recipient.
 */
export function countTemplateSegments(text: string): SegmentCount & { approximate: boolean } {
  const { text: sample, replaced } = withSampleValues(text);
  return { ...countSegments(sample), approximate: replaced > 0 };
}
