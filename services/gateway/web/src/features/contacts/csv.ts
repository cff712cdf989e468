/**
 * The CSV import's first step, done in the browser: read the header row (and a few rows for examples) of the
 * chosen file, and propose which contact field each column fills. The server parses the whole file; this
 * only needs the start of it (Excel in Brazil writes `;`, so the delimiter is detected).
 */

export type MappingTarget = "phone" | "name" | "email" | "tags" | "ignore" | `custom:${string}`;

export interface CsvPreview {
  delimiter: string;
  columns: string[];
  /** Up to `maxRows` data rows, cell by cell (for examples next to each column). */
  rows: string[][];
}

/** Records of a CSV text (RFC 4180 quoting; CRLF or LF); a record cut off at the end is dropped. */
export function parseRecords(text: string, delimiter: string, maxRecords: number, complete = false): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = "";
  let quoted = false;
  let i = 0;
  while (i < text.length && records.length < maxRecords) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        cell += ch;
      }
      i += 1;
      continue;
    }
    if (ch === '"' && cell === "") quoted = true;
    else if (ch === delimiter) {
      record.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      record.push(cell);
      cell = "";
      records.push(record);
      record = [];
      if (ch === "\r" && text[i + 1] === "\n") i += 1;
    } else cell += ch;
    i += 1;
  }
  // The last record counts when the text is the whole file (no newline at the end) and not inside quotes.
  if (complete && !quoted && records.length < maxRecords && (cell !== "" || record.length > 0)) {
    record.push(cell);
    records.push(record);
  }
  return records.filter((r) => !(r.length === 1 && r[0] === ""));
}

/** `,`, `;` or tab: whichever splits the header line into the most columns (outside quotes). */
export function detectDelimiter(firstLine: string): string {
  const counts: Record<string, number> = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch]! += 1;
  }
  const [best, count] = Object.entries(counts).sort((a, b) => b[1] - a[1])[0]!;
  return count > 0 ? best : ",";
}

/**
 * The header and first rows of a CSV text (the start of the file; `complete` when it is all of it).
 * Blank header cells get a name ("Coluna 3") so they can still be mapped or ignored.
 */
export function previewCsv(text: string, { maxRows = 5, complete = false, blankName = (n: number) => `#${n}` } = {}): CsvPreview {
  const clean = text.replace(/^\uFEFF/, "");
  const firstLine = clean.split(/\r?\n/, 1)[0] ?? "";
  const delimiter = detectDelimiter(firstLine);
  const [header = [], ...rows] = parseRecords(clean, delimiter, maxRows + 1, complete);
  const columns = header.map((c, i) => c.trim() || blankName(i + 1));
  return { delimiter, columns, rows };
}

/** Lower case, no accents, words joined by `_`: "Nome Completo" → "nome_completo", "Telefone (WhatsApp)" → "telefone_whatsapp". */
export function slug(header: string): string {
  return header
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

const SYNONYMS: Record<"phone" | "name" | "email" | "tags", string[]> = {
  phone: ["phone", "telefone", "celular", "whatsapp", "fone", "mobile", "numero", "tel", "cell", "phone_number", "cellphone", "telefone_celular", "contato", "msisdn", "e164"],
  name: ["name", "nome", "nome_completo", "full_name", "cliente", "contact_name", "nome_do_cliente", "first_name", "primeiro_nome"],
  email: ["email", "e_mail", "mail", "email_address", "endereco_de_email"],
  tags: ["tags", "tag", "etiquetas", "etiqueta", "labels", "label", "grupos", "grupo", "segmento", "segmentos"],
};

function standardTarget(header: string): "phone" | "name" | "email" | "tags" | null {
  const s = slug(header);
  for (const [target, words] of Object.entries(SYNONYMS) as [keyof typeof SYNONYMS, string[]][]) {
    if (words.includes(s)) return target;
  }
  // "Telefone 1", "Celular (WhatsApp)", "WhatsApp do cliente": a known word at the start.
  for (const [target, words] of Object.entries(SYNONYMS) as [keyof typeof SYNONYMS, string[]][]) {
    if (target !== "tags" && words.some((w) => s.startsWith(`${w}_`))) return target;
  }
  return null;
}

/**
 * A first guess at the mapping: the first column that looks like the phone (name, e-mail, tags) fills it;
 * every other column becomes a custom field named after its header.
 */
export function guessMapping(columns: string[]): Record<string, MappingTarget> {
  const taken = new Set<string>();
  const mapping: Record<string, MappingTarget> = {};
  for (const column of columns) {
    const target = standardTarget(column);
    if (target && !taken.has(target)) {
      taken.add(target);
      mapping[column] = target;
      continue;
    }
    const field = slug(column);
    mapping[column] = field && !taken.has(`custom:${field}`) ? `custom:${field}` : "ignore";
    if (field) taken.add(`custom:${field}`);
  }
  return mapping;
}

export type MappingProblem =
  | { kind: "no_phone" }
  | { kind: "duplicate"; target: MappingTarget; columns: string[] }
  | { kind: "bad_custom"; column: string };

const CUSTOM_FIELD = /^[a-z0-9_]{1,64}$/;

/** What is wrong with a mapping before sending it: exactly one phone column, each field filled once. */
export function validateMapping(mapping: Record<string, MappingTarget>): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const byTarget = new Map<MappingTarget, string[]>();
  for (const [column, target] of Object.entries(mapping)) {
    if (target === "ignore") continue;
    if (target.startsWith("custom:") && !CUSTOM_FIELD.test(target.slice(7))) problems.push({ kind: "bad_custom", column });
    byTarget.set(target, [...(byTarget.get(target) ?? []), column]);
  }
  if (!byTarget.has("phone")) problems.push({ kind: "no_phone" });
  for (const [target, columns] of byTarget) {
    if (columns.length > 1) problems.push({ kind: "duplicate", target, columns });
  }
  return problems;
}

/** The mapping the API takes: csv column → phone|name|email|tags|custom:<field>, ignored columns left out. */
export function mappingForApi(mapping: Record<string, MappingTarget>): Record<string, string> {
  return Object.fromEntries(Object.entries(mapping).filter(([, target]) => target !== "ignore"));
}
