import { FileText, MapPin, UserRound } from "lucide-react";
import type { Message } from "@/api";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatBytes, mediaUrl } from "@/lib/media";
import { inboxMessages } from "./i18n";

type Content = Record<string, unknown> & { kind?: string };

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** Where a message's file can be read: our media store (same origin), else the provider's link. */
function sourceOf(content: Content): string | null {
  const key = str(content.storage_key);
  if (key) return mediaUrl(key);
  const url = str(content.url);
  return /^https?:\/\//.test(url) ? url : null;
}

function Caption({ text }: { text: string }) {
  return text ? <p className="mt-1 whitespace-pre-wrap break-words">{text}</p> : null;
}

function FileChip({ content, src }: { content: Content; src: string | null }) {
  const { lang } = useI18n();
  const t = useMessages(inboxMessages);
  const name = str(content.filename) || t.media.kinds[content.kind ?? "document"] || "arquivo";
  const size = typeof content.size_bytes === "number" ? formatBytes(content.size_bytes, lang) : "";
  const inner = (
    <>
      <FileText className="size-5 shrink-0 text-muted-foreground" aria-hidden="true" />
      <span className="grid min-w-0">
        <span className="truncate font-medium">{name}</span>
        {size || content.mime_type ? (
          <span className="truncate text-xs text-muted-foreground">{[size, str(content.mime_type)].filter(Boolean).join(" · ")}</span>
        ) : null}
      </span>
    </>
  );
  return src ? (
    <a
      href={src}
      download={str(content.filename) || undefined}
      target="_blank"
      rel="noreferrer"
      className="flex max-w-72 items-center gap-2 rounded-md border bg-background/60 px-2.5 py-2 hover:bg-accent"
      aria-label={t.media.download(name)}
      data-testid="message-file"
    >
      {inner}
    </a>
  ) : (
    <span className="flex max-w-72 items-center gap-2 rounded-md border bg-background/60 px-2.5 py-2" data-testid="message-file">
      {inner}
    </span>
  );
}

/** The content of a message of any kind: text, media (thumbnails, players, file chips), templates, and the rest. */
export function MessageBody({ message }: { message: Message }) {
  const { m } = useI18n();
  const t = useMessages(inboxMessages);
  const content = (message.content ?? {}) as Content;
  const kind = content.kind ?? "";
  const caption = str(content.caption);
  const src = sourceOf(content);
  const label = t.media.kinds[kind] ?? kind;

  switch (kind) {
    case "text":
      return <p className="whitespace-pre-wrap break-words">{str(content.body)}</p>;
    case "image":
    case "sticker":
      return (
        <div>
          {src ? (
            <a href={src} target="_blank" rel="noreferrer" aria-label={t.media.open(caption || label)} className="block">
              <img
                src={src}
                alt={caption || label}
                loading="lazy"
                decoding="async"
                className={kind === "sticker" ? "size-32 object-contain" : "max-h-72 w-auto max-w-full rounded-md object-cover"}
                data-testid="message-image"
              />
            </a>
          ) : (
            <p className="italic">{label}</p>
          )}
          <Caption text={caption} />
        </div>
      );
    case "video":
      return (
        <div>
          {src ? <video src={src} controls preload="metadata" className="max-h-72 max-w-full rounded-md" aria-label={caption || label} /> : <p className="italic">{label}</p>}
          <Caption text={caption} />
        </div>
      );
    case "audio":
      return src ? <audio src={src} controls preload="none" className="max-w-full" aria-label={label} /> : <p className="italic">{label}</p>;
    case "document":
      return (
        <div>
          <FileChip content={content} src={src} />
          <Caption text={caption} />
        </div>
      );
    case "template": {
      const params = ((content.components as { parameters?: { text?: string }[] }[] | undefined) ?? [])
        .flatMap((c) => c.parameters ?? [])
        .map((p) => p.text)
        .filter(Boolean);
      return (
        <p className="break-words">
          <span className="font-medium">
            {label}: {str(content.name)}
          </span>
          {params.length ? <span className="block text-muted-foreground">{params.join(" · ")}</span> : null}
        </p>
      );
    }
    case "location": {
      const lat = Number(content.latitude);
      const lon = Number(content.longitude);
      const place = [str(content.name), str(content.address)].filter(Boolean).join(" — ") || label;
      return (
        <a
          className="flex items-start gap-2 underline-offset-4 hover:underline"
          href={`https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`}
          target="_blank"
          rel="noreferrer"
        >
          <MapPin className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          <span className="break-words">{place}</span>
        </a>
      );
    }
    case "contacts": {
      const cards = (content.contacts as { name?: string; phones?: string[] }[] | undefined) ?? [];
      return (
        <ul className="grid gap-1">
          {cards.map((card, i) => (
            <li key={i} className="flex items-start gap-2">
              <UserRound className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
              <span className="break-words">
                <span className="font-medium">{card.name}</span>
                {card.phones?.length ? <span className="block text-muted-foreground">{card.phones.join(", ")}</span> : null}
              </span>
            </li>
          ))}
        </ul>
      );
    }
    case "reaction":
      return <p className="text-2xl leading-none">{str(content.emoji) || "∅"}</p>;
    case "interactive": {
      const i = (content.interactive ?? {}) as Record<string, unknown>;
      return <p className="whitespace-pre-wrap break-words">{str(i.body) || str(i.title) || message.preview}</p>;
    }
    case "unsupported":
      return <p className="break-words italic">{str(content.summary) || label}</p>;
    default:
      return <p className="break-words italic">{message.preview || m.inbox.media(kind || "?")}</p>;
  }
}
