/**
 * Campaign variables: `{{name}}`, `{{first_name}}`, `{{phone}}`, `{{email}}`, `{{stage}}`, `{{custom.<key>}}`,
 * each with an optional fallback after a bar (`{{first_name|Cliente}}`); the server renders them per recipient
 * (masteria.campaigns.render) and a variable with no value and no fallback makes that recipient unsendable
 * (skipped, missing_variable). Pure helpers for the editor: insert at the caret, list what a text uses.
 */

export const CONTACT_VARIABLES = ["first_name", "name", "phone", "email", "stage"] as const;
export type ContactVariable = (typeof CONTACT_VARIABLES)[number];

/** Matches one variable; group 1 the name, group 2 the fallback (undefined when there is no bar). */
export const VARIABLE = /\{\{\s*([a-z_]+(?:\.[A-Za-z0-9_-]+)?)\s*(?:\|([^{}]*))?\}\}/g;

export interface UsedVariable {
  name: string;
  fallback: string | null;
}

/** The variables a text uses, in order, each (name, fallback) pair once. */
export function usedVariables(text: string): UsedVariable[] {
  const out: UsedVariable[] = [];
  for (const match of text.matchAll(VARIABLE)) {
    const name = match[1]!;
    const fallback = match[2] === undefined ? null : match[2].trim();
    if (!out.some((v) => v.name === name && v.fallback === fallback)) out.push({ name, fallback });
  }
  return out;
}

/** Variables that would skip a recipient lacking the value: no fallback (phone is always there). */
export function withoutFallback(text: string): string[] {
  return [...new Set(usedVariables(text).filter((v) => !v.fallback && v.name !== "phone").map((v) => v.name))];
}

/** A custom field's key as the server takes it: lower case letters, digits and _. */
export function isFieldKey(key: string): boolean {
  return /^[a-z][a-z0-9_]{0,62}$/.test(key);
}

/** The text to insert for a variable, with its fallback when one is given (bars and braces removed). */
export function variableToken(name: string, fallback = ""): string {
  const clean = fallback.replace(/[|{}]/g, "").trim();
  return clean ? `{{${name}|${clean}}}` : `{{${name}}}`;
}

/** `text` with `token` replacing the selection [start, end); the caret goes after the token. */
export function insertAt(text: string, start: number, end: number, token: string): { text: string; caret: number } {
  const a = Math.max(0, Math.min(start, text.length));
  const b = Math.max(a, Math.min(end, text.length));
  return { text: text.slice(0, a) + token + text.slice(b), caret: a + token.length };
}

const TYPICAL: Record<string, string> = {
  first_name: "Fernanda",
  name: "Fernanda Souza",
  phone: "+5511987654321",
  email: "fernanda@exemplo.com",
  stage: "Negociação",
};

/** The text with each variable replaced by its fallback, or by a typical value (for size estimates). */
export function withSampleValues(text: string): { text: string; replaced: number } {
  let replaced = 0;
  const out = text.replace(VARIABLE, (_m, name: string, fallback: string | undefined) => {
    replaced += 1;
    if (fallback && fallback.trim()) return fallback.trim();
    return TYPICAL[name] ?? "xxxxxxxxxx";
  });
  return { text: out, replaced };
}

/** The text with variables filled from a contact-like record (the local preview before the server's). */
export function renderLocal(text: string, values: Record<string, string | null | undefined>): { text: string; missing: string[] } {
  const missing: string[] = [];
  const out = text.replace(VARIABLE, (whole, name: string, fallback: string | undefined) => {
    const value = (values[name] ?? "").toString().trim();
    if (value) return value;
    if (fallback && fallback.trim()) return fallback.trim();
    if (!missing.includes(name)) missing.push(name);
    return whole;
  });
  return { text: out, missing };
}
