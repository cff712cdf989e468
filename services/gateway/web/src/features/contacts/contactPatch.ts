import type { Contact, ContactInput } from "@/api/contacts";

/** The contact after a PATCH as the server applies it: tags replaced, custom fields merged (null removes one). */
export function applyContactPatch(contact: Contact, patch: ContactInput): Contact {
  const next: Contact = { ...contact };
  if (patch.tags) next.tags = patch.tags;
  if (patch.name !== undefined) next.name = patch.name;
  if (patch.email !== undefined) next.email = patch.email;
  if (patch.custom_fields) {
    const fields = { ...contact.custom_fields };
    for (const [key, value] of Object.entries(patch.custom_fields)) {
      if (value === null) delete fields[key];
      else fields[key] = value;
    }
    next.custom_fields = fields;
  }
  return next;
}

/** "cliente, vip ,  VIP" → ["cliente", "vip"] (trimmed, once each, case kept from the first). */
export function parseTags(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(",")) {
    const tag = raw.trim();
    if (!tag || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    out.push(tag);
  }
  return out;
}

/** Countries offered for numbers typed without the country code (the import dialog offers the same). */
export const COUNTRIES = ["BR", "US", "PT", "AR", "MX", "CO", "CL", "PE", "UY", "PY", "ES"];
export const DIALING: Record<string, string> = { BR: "55", US: "1", PT: "351", AR: "54", MX: "52", CO: "57", CL: "56", PE: "51", UY: "598", PY: "595", ES: "34" };
