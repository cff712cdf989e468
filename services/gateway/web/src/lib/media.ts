/**
 * What kind of attachment a file is (the `kind` of MediaContent), from its MIME type, and how big it may be.
 * WhatsApp accepts only some formats per kind (images: JPEG/PNG; stickers: WebP; ...); anything else still
 * goes, as a document, rather than being refused by Meta after the upload.
 */
export type MediaKind = "image" | "audio" | "video" | "document" | "sticker";

const EXTENSIONS: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  opus: "audio/ogg",
  m4a: "audio/mp4",
  aac: "audio/aac",
  amr: "audio/amr",
  wav: "audio/wav",
  mp4: "video/mp4",
  "3gp": "video/3gpp",
  mov: "video/quicktime",
  pdf: "application/pdf",
  csv: "text/csv",
  txt: "text/plain",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
};

/** The MIME type of a file: the browser's, else guessed from the extension, else a generic binary type. */
export function mimeOf(type: string | null | undefined, filename?: string | null): string {
  const given = (type ?? "").split(";")[0]!.trim().toLowerCase();
  if (given) return given;
  const ext = (filename ?? "").toLowerCase().split(".").pop() ?? "";
  return EXTENSIONS[ext] ?? "application/octet-stream";
}

const WHATSAPP: Record<Exclude<MediaKind, "document">, string[]> = {
  image: ["image/jpeg", "image/png"],
  sticker: ["image/webp"],
  audio: ["audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"],
  video: ["video/mp4", "video/3gpp"],
};

/**
 * The media kind to send a file as. On WhatsApp channels only the formats Meta plays inline get their own
 * kind (the rest become documents); elsewhere (SMS/MMS) the MIME family decides.
 */
export function mediaKindOf(mime: string | null | undefined, channel?: string | null): MediaKind {
  const type = mimeOf(mime);
  if (channel?.startsWith("whatsapp")) {
    for (const [kind, types] of Object.entries(WHATSAPP)) if (types.includes(type)) return kind as MediaKind;
    return "document";
  }
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("audio/")) return "audio";
  if (type.startsWith("video/")) return "video";
  return "document";
}

/** Meta's size limits per kind (bytes); SMS carriers take far less, and the server says so when it refuses. */
export const MAX_BYTES: Record<MediaKind, number> = {
  image: 5 * 1024 * 1024,
  sticker: 500 * 1024,
  audio: 16 * 1024 * 1024,
  video: 16 * 1024 * 1024,
  document: 100 * 1024 * 1024,
};

/** "1,2 MB" style sizes for file chips. */
export function formatBytes(bytes: number, lang: string): string {
  const units = ["B", "kB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}

/** The URL the dashboard reads a stored file from (same origin: the session cookie goes along). */
export function mediaUrl(storageKey: string): string {
  return `/api/v1/media/${storageKey.split("/").map(encodeURIComponent).join("/")}`;
}
