import { FileText, LoaderCircle, Paperclip, SendHorizontal, X } from "lucide-react";
import { type FormEvent, lazy, type KeyboardEvent, Suspense, useEffect, useId, useImperativeHandle, useMemo, useRef, useState, type Ref } from "react";
import { toast } from "sonner";
import type { InboxConversation, OutboundContent } from "@/api/inbox";
import { mediaApi, type StoredMedia } from "@/api/media";
import { ApiError } from "@/api/problems";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/textarea";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { formatDateTime, formatPhone } from "@/i18n/format";
import { describeError } from "@/lib/errors";
import { formatBytes, MAX_BYTES, mediaKindOf, mimeOf } from "@/lib/media";
import { cn } from "@/lib/utils";
import { ChannelIcon } from "./ChannelIcon";
import { usePhoneNumbers, useSmsSenders } from "./hooks";
import { inboxMessages } from "./i18n";
import { useSendMessage } from "./useSend";

const TemplatePicker = lazy(() => import("./TemplatePicker"));

// Drafts survive switching between conversations (not reloads).
const drafts = new Map<string, string>();

interface Attachment {
  file: File;
  state: "uploading" | "ready" | "error";
  stored?: StoredMedia;
  thumb?: string;
}

export interface ComposerHandle {
  focus: () => void;
}

/** A refused send as the composer shows it: the server's reason, in its words. */
export interface SendProblem {
  reason: string | null;
  text: string;
}

export function sendProblem(error: unknown, fallback: (e: unknown) => string): SendProblem {
  if (error instanceof ApiError && error.status === 422) {
    return { reason: error.problem.reason ?? null, text: error.problem.detail || error.problem.title || fallback(error) };
  }
  return { reason: null, text: fallback(error) };
}

/**
 * The reply box: the channel (and number) it sends from, Enter to send and Shift+Enter for a new line, one
 * attachment (uploaded at once, sent as MediaContent with its storage key), and, on WhatsApp, the template
 * picker, which is the only way to write when the 24-hour window is closed.
 */
export function Composer({ conversation, ref }: { conversation: InboxConversation; ref?: Ref<ComposerHandle> }) {
  const { m, lang } = useI18n();
  const t = useMessages(inboxMessages);
  const hintId = useId();
  const textRef = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState(() => drafts.get(conversation.id) ?? "");
  const [attachment, setAttachment] = useState<Attachment | null>(null);
  const [problem, setProblem] = useState<SendProblem | null>(null);
  const [picking, setPicking] = useState(false);
  const [serverSaysClosed, setServerSaysClosed] = useState(false);
  const send = useSendMessage(conversation);
  const whatsapp = conversation.channel.startsWith("whatsapp");
  const numbers = usePhoneNumbers();
  const senders = useSmsSenders(conversation.channel === "sms");

  useImperativeHandle(ref, () => ({ focus: () => textRef.current?.focus() }), []);
  useEffect(() => {
    drafts.set(conversation.id, text);
  }, [conversation.id, text]);
  useEffect(() => () => void (attachment?.thumb && URL.revokeObjectURL(attachment.thumb)), [attachment?.thumb]);
  // Grow with the text, up to about six lines.
  useEffect(() => {
    const el = textRef.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  }, [text]);

  // A thread has one number: the reply goes from the number the customer wrote to, shown here.
  const account = useMemo(() => {
    const id = conversation.channel_account_id;
    if (whatsapp) {
      const n = numbers.data?.find((x) => x.id === id);
      return n ? (n.label ? `${formatPhone(n.display_phone_number)} (${n.label})` : formatPhone(n.display_phone_number)) : null;
    }
    const s = senders.data?.find((x) => x.id === id);
    return s ? (s.label ? `${formatPhone(s.phone_number)} (${s.label})` : formatPhone(s.phone_number)) : null;
  }, [whatsapp, numbers.data, senders.data, conversation.channel_account_id]);

  const serviceWindow = conversation.service_window;
  const windowClosed = whatsapp && (serviceWindow?.open === false || serverSaysClosed);
  const optedOut = conversation.opted_out === true;
  const channelName = m.channels[conversation.channel] ?? conversation.channel;
  const uploading = attachment?.state === "uploading";
  const canSend = !send.isPending && !uploading && (text.trim().length > 0 || attachment?.state === "ready");

  async function choose(file: File) {
    setProblem(null);
    const mime = mimeOf(file.type, file.name);
    const kind = mediaKindOf(mime, conversation.channel);
    if (file.size > MAX_BYTES[kind]) {
      setProblem({ reason: "too_big", text: t.composer.tooBig(formatBytes(MAX_BYTES[kind], lang)) });
      return;
    }
    const thumb = mime.startsWith("image/") ? URL.createObjectURL(file) : undefined;
    setAttachment({ file, state: "uploading", thumb });
    try {
      const stored = await mediaApi.upload(file);
      setAttachment((a) => (a?.file === file ? { ...a, state: "ready", stored } : a));
    } catch (error) {
      setAttachment((a) => (a?.file === file ? { ...a, state: "error" } : a));
      setProblem({ reason: "upload", text: `${t.composer.uploadFailed} ${describeError(error, m)}` });
    }
  }

  function contentToSend(): OutboundContent | null {
    const body = text.trim();
    if (attachment?.state === "ready" && attachment.stored) {
      const mime = attachment.stored.mime_type || mimeOf(attachment.file.type, attachment.file.name);
      return {
        kind: mediaKindOf(mime, conversation.channel),
        storage_key: attachment.stored.storage_key,
        mime_type: mime,
        filename: attachment.stored.filename ?? attachment.file.name,
        size_bytes: attachment.stored.size_bytes ?? attachment.file.size,
        ...(body ? { caption: body } : {}),
      };
    }
    return body ? { kind: "text", body } : null;
  }

  /** Sends; null when the server accepted it, else why not (also shown above the box). */
  async function deliver(content: OutboundContent): Promise<SendProblem | null> {
    setProblem(null);
    try {
      await send.mutateAsync({ content });
      if (content.kind === "template") setServerSaysClosed(false);
      return null;
    } catch (error) {
      const p = sendProblem(error, (e) => describeError(e, m));
      setProblem(p);
      if (p.reason === "window_closed") setServerSaysClosed(true);
      if (!(error instanceof ApiError) || error.status !== 422) toast.error(`${t.composer.failed} ${p.text}`);
      return p;
    }
  }

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    const content = contentToSend();
    if (!content || !canSend) return;
    const before = { text, attachment };
    setText("");
    setAttachment(null);
    const refused = await deliver(content);
    if (refused) {
      // Give the words (and the file) back so nothing typed is lost.
      setText((current) => current || before.text);
      setAttachment((current) => current ?? before.attachment);
    }
    textRef.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    }
  }

  const picker = picking ? (
    <Suspense fallback={null}>
      <TemplatePicker
        open={picking}
        onOpenChange={setPicking}
        numberId={conversation.channel_account_id}
        contactName={conversation.contact.name ?? ""}
        onSend={deliver}
      />
    </Suspense>
  ) : null;

  const problemBox = problem ? (
    <div role="alert" className="mb-2 rounded-md border border-destructive/40 bg-destructive/5 px-3 py-2 text-sm" data-testid="send-error" data-reason={problem.reason ?? undefined}>
      <p className="font-medium text-destructive">{problem.reason === "opted_out" ? t.composer.optedOutTitle : t.composer.failed}</p>
      <p className="text-foreground">{problem.text}</p>
    </div>
  ) : null;

  const accountRow = (
    <p className="flex min-w-0 items-center gap-1.5 text-xs text-muted-foreground" data-testid="composer-channel" data-channel={conversation.channel}>
      <ChannelIcon channel={conversation.channel} />
      <span className="truncate">
        {t.composer.channel} {channelName}
        {account ? ` · ${account}` : ""}
      </span>
    </p>
  );

  if (windowClosed) {
    return (
      <footer className="border-t bg-background p-3" data-testid="composer" data-window="closed">
        {problemBox && problem?.reason !== "window_closed" ? problemBox : null}
        <div className="grid gap-2 rounded-md border border-warning/50 bg-warning/10 p-3 text-sm" role="status" data-testid="window-closed">
          <p className="font-medium">{t.composer.windowClosedTitle}</p>
          <p className="text-muted-foreground">{problem?.reason === "window_closed" ? problem.text : t.composer.windowClosedBody}</p>
          <div className="flex flex-wrap items-center justify-between gap-2">
            {accountRow}
            <Button onClick={() => setPicking(true)} data-testid="open-template-picker">
              <FileText aria-hidden="true" />
              {t.composer.useTemplate}
            </Button>
          </div>
        </div>
        {picker}
      </footer>
    );
  }

  return (
    <footer className="border-t bg-background px-2 py-2 sm:px-3" data-testid="composer" data-window="open" data-opted-out={optedOut || undefined}>
      {problemBox}
      {optedOut && problem?.reason !== "opted_out" ? (
        <div role="status" className="mb-2 rounded-md border border-destructive/40 bg-destructive/5 px-3 py-2 text-sm" data-testid="opted-out">
          <p className="font-medium text-destructive">{t.composer.optedOutTitle}</p>
          <p className="text-muted-foreground">{t.composer.optedOutBody(channelName)}</p>
        </div>
      ) : null}
      {attachment ? (
        <div className="mb-2 flex items-center gap-2 rounded-md border bg-muted/50 p-2 text-sm" data-testid="composer-attachment" data-state={attachment.state}>
          {attachment.thumb ? (
            <img src={attachment.thumb} alt="" className="size-10 rounded object-cover" />
          ) : (
            <FileText className="size-6 text-muted-foreground" aria-hidden="true" />
          )}
          <span className="grid min-w-0 flex-1">
            <span className="truncate font-medium">{attachment.file.name}</span>
            <span className="text-xs text-muted-foreground">
              {attachment.state === "uploading" ? t.composer.uploading(attachment.file.name) : formatBytes(attachment.file.size, lang)}
            </span>
          </span>
          {attachment.state === "uploading" ? <LoaderCircle className="size-4 animate-spin text-muted-foreground" aria-hidden="true" /> : null}
          <Button type="button" variant="ghost" size="icon-sm" onClick={() => setAttachment(null)} aria-label={t.composer.removeAttachment(attachment.file.name)}>
            <X aria-hidden="true" />
          </Button>
        </div>
      ) : null}
      <form onSubmit={(e) => void submit(e)} aria-label={t.composer.label} className="grid grid-cols-1 gap-1.5">
        <div className="flex items-end gap-1.5">
          <input
            ref={fileRef}
            type="file"
            className="sr-only"
            tabIndex={-1}
            aria-hidden="true"
            data-testid="composer-file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = "";
              if (file) void choose(file);
            }}
          />
          <Button type="button" variant="ghost" size="icon" onClick={() => fileRef.current?.click()} aria-label={t.composer.attach} title={t.composer.attach}>
            <Paperclip aria-hidden="true" />
          </Button>
          {whatsapp ? (
            <Button type="button" variant="ghost" size="icon" onClick={() => setPicking(true)} aria-label={t.composer.useTemplate} title={t.composer.useTemplate} data-testid="open-template-picker">
              <FileText aria-hidden="true" />
            </Button>
          ) : null}
          <Textarea
            ref={textRef}
            rows={1}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKeyDown}
            placeholder={attachment ? t.composer.caption : t.composer.placeholderChannel(channelName)}
            aria-label={t.composer.label}
            aria-describedby={hintId}
            aria-keyshortcuts="r"
            className="max-h-40 min-h-9 resize-none py-1.5"
            maxLength={4096}
            data-testid="composer-input"
          />
          <Button type="submit" size="icon" disabled={!canSend} aria-label={t.composer.send} title={t.composer.send} data-testid="send-button">
            {send.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : <SendHorizontal aria-hidden="true" />}
          </Button>
        </div>
        <div className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1 px-1">
          {accountRow}
          <p id={hintId} className={cn("text-xs text-muted-foreground", "hidden sm:block")}>
            {whatsapp && serviceWindow?.open && serviceWindow.expires_at
              ? `${t.composer.windowOpenUntil(formatDateTime(new Date(serviceWindow.expires_at), lang))} `
              : ""}
            {t.composer.hint}
          </p>
        </div>
      </form>
      {picker}
    </footer>
  );
}
