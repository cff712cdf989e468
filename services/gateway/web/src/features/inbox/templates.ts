/**
 * WhatsApp message templates as Meta describes them (components HEADER / BODY / FOOTER / BUTTONS with `{{1}}`
 * or `{{name}}` placeholders), and what the template picker needs from them: the variables to ask for, a
 * preview with the values filled in, and the TemplateContent (components with parameters) to send.
 * Pure functions: the picker renders the preview locally as the agent types.
 */
import type { TemplateContent, TemplateParameter, TemplateComponent as SentComponent } from "@/api/inbox";

export interface MetaButton {
  type: string; // URL, QUICK_REPLY, PHONE_NUMBER, COPY_CODE, FLOW, ...
  text?: string;
  url?: string;
  phone_number?: string;
  example?: string[] | string;
}

export interface MetaComponent {
  type: string; // HEADER, BODY, FOOTER, BUTTONS (any case)
  format?: string; // headers: TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION
  text?: string;
  buttons?: MetaButton[];
  example?: {
    header_text?: string[];
    body_text?: string[][];
    header_text_named_params?: { param_name: string; example: string }[];
    body_text_named_params?: { param_name: string; example: string }[];
    header_handle?: string[];
  };
}

export interface TemplateLike {
  name: string;
  language: string;
  parameter_format?: string | null; // POSITIONAL (default) or NAMED
  components: MetaComponent[];
}

export type SlotKind = "text" | "image" | "video" | "document";

/** One value the agent fills in. */
export interface VariableSlot {
  /** Unique in the template: "header.1", "body.nome", "button.0.1", "header.media". */
  key: string;
  component: "header" | "body" | "button";
  /** The placeholder's name ("1", "nome"); "media" for a media header. */
  name: string;
  kind: SlotKind;
  buttonIndex?: number;
  example?: string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The placeholders of a text, each once, in order of appearance (positional ones by number). */
export function placeholders(text: string | undefined | null): string[] {
  if (!text) return [];
  const seen: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) if (!seen.includes(match[1]!)) seen.push(match[1]!);
  if (seen.every((p) => /^\d+$/.test(p))) seen.sort((a, b) => Number(a) - Number(b));
  return seen;
}

const upper = (s: string | undefined) => (s ?? "").toUpperCase();

function find(template: TemplateLike, type: string): MetaComponent | undefined {
  return template.components.find((c) => upper(c.type) === type);
}

function exampleFor(component: MetaComponent, part: "header" | "body", name: string, position: number): string | undefined {
  const ex = component.example;
  if (!ex) return undefined;
  const named = part === "header" ? ex.header_text_named_params : ex.body_text_named_params;
  const byName = named?.find((p) => p.param_name === name)?.example;
  if (byName) return byName;
  if (part === "header") return ex.header_text?.[position];
  return ex.body_text?.[0]?.[position];
}

const MEDIA_FORMATS: Record<string, SlotKind> = { IMAGE: "image", VIDEO: "video", DOCUMENT: "document" };

/** Every value the template needs, header first, then the body, then the buttons. */
export function extractVariables(template: TemplateLike): VariableSlot[] {
  const slots: VariableSlot[] = [];
  const header = find(template, "HEADER");
  if (header) {
    const media = MEDIA_FORMATS[upper(header.format)];
    if (media) {
      slots.push({ key: "header.media", component: "header", name: "media", kind: media });
    } else {
      placeholders(header.text).forEach((name, i) =>
        slots.push({ key: `header.${name}`, component: "header", name, kind: "text", example: exampleFor(header, "header", name, i) }),
      );
    }
  }
  const body = find(template, "BODY");
  if (body) {
    placeholders(body.text).forEach((name, i) =>
      slots.push({ key: `body.${name}`, component: "body", name, kind: "text", example: exampleFor(body, "body", name, i) }),
    );
  }
  const buttons = find(template, "BUTTONS")?.buttons ?? [];
  buttons.forEach((button, index) => {
    if (upper(button.type) !== "URL") return;
    placeholders(button.url).forEach((name) => {
      const example = Array.isArray(button.example) ? button.example[0] : button.example;
      slots.push({ key: `button.${index}.${name}`, component: "button", name, kind: "text", buttonIndex: index, example });
    });
  });
  return slots;
}

/** The slots still empty (whitespace counts as empty). */
export function missingVariables(slots: VariableSlot[], values: Record<string, string>): VariableSlot[] {
  return slots.filter((slot) => !(values[slot.key] ?? "").trim());
}

export interface Segment {
  text: string;
  /** Set on the part that came from a placeholder; `filled` tells whether the agent typed it yet. */
  variable?: string;
  filled?: boolean;
}

/**
 * A text with its placeholders replaced by the values (by placeholder name), as segments so the preview can
 * mark the filled-in parts; an empty value shows the placeholder itself.
 */
export function renderSegments(text: string | undefined | null, values: Record<string, string>): Segment[] {
  if (!text) return [];
  const out: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const at = match.index ?? 0;
    if (at > last) out.push({ text: text.slice(last, at) });
    const name = match[1]!;
    const value = (values[name] ?? "").trim();
    out.push({ text: value || `{{${name}}}`, variable: name, filled: Boolean(value) });
    last = at + match[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

/** The same, as plain text. */
export function renderText(text: string | undefined | null, values: Record<string, string>): string {
  return renderSegments(text, values)
    .map((s) => s.text)
    .join("");
}

/** The values of one component, by placeholder name (what renderSegments takes). */
export function valuesFor(slots: VariableSlot[], values: Record<string, string>, component: VariableSlot["component"], buttonIndex?: number) {
  const out: Record<string, string> = {};
  for (const slot of slots) {
    if (slot.component !== component || (buttonIndex !== undefined && slot.buttonIndex !== buttonIndex)) continue;
    out[slot.name] = values[slot.key] ?? "";
  }
  return out;
}

export interface RenderedTemplate {
  header?: { kind: SlotKind; segments: Segment[]; link?: string };
  body: Segment[];
  footer?: string;
  buttons: { type: string; text: string; url?: string }[];
}

/** The whole message as the customer will see it (the picker's live preview). */
export function renderTemplate(template: TemplateLike, values: Record<string, string>): RenderedTemplate {
  const slots = extractVariables(template);
  const header = find(template, "HEADER");
  const headerKind = MEDIA_FORMATS[upper(header?.format)];
  return {
    header: header
      ? headerKind
        ? { kind: headerKind, segments: [], link: (values["header.media"] ?? "").trim() || undefined }
        : { kind: "text", segments: renderSegments(header.text, valuesFor(slots, values, "header")) }
      : undefined,
    body: renderSegments(find(template, "BODY")?.text, valuesFor(slots, values, "body")),
    footer: find(template, "FOOTER")?.text,
    buttons: (find(template, "BUTTONS")?.buttons ?? []).map((button, index) => ({
      type: upper(button.type),
      text: button.text ?? "",
      url: button.url ? renderText(button.url, valuesFor(slots, values, "button", index)) : undefined,
    })),
  };
}

/**
 * The TemplateContent to send: one component per part that has variables, parameters in placeholder order
 * (named templates also name each parameter, as Meta requires for parameter_format NAMED).
 */
export function buildTemplateContent(template: TemplateLike, values: Record<string, string>): TemplateContent {
  const slots = extractVariables(template);
  const named = upper(template.parameter_format ?? "") === "NAMED" || slots.some((s) => s.kind === "text" && !/^\d+$/.test(s.name));
  const param = (slot: VariableSlot): TemplateParameter => {
    const value = (values[slot.key] ?? "").trim();
    if (slot.kind !== "text") return { type: slot.kind, media: { link: value } };
    return named && slot.component !== "button" ? { type: "text", parameter_name: slot.name, text: value } : { type: "text", text: value };
  };
  const components: SentComponent[] = [];
  for (const part of ["header", "body"] as const) {
    const own = slots.filter((s) => s.component === part);
    if (own.length) components.push({ type: part, parameters: own.map(param) });
  }
  const byButton = new Map<number, VariableSlot[]>();
  for (const slot of slots.filter((s) => s.component === "button")) {
    byButton.set(slot.buttonIndex!, [...(byButton.get(slot.buttonIndex!) ?? []), slot]);
  }
  for (const [index, own] of [...byButton.entries()].sort((a, b) => a[0] - b[0])) {
    components.push({ type: "button", sub_type: "url", index, parameters: own.map(param) });
  }
  return { kind: "template", name: template.name, language: template.language, components };
}
