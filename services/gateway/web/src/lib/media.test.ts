import { describe, expect, it } from "vitest";
import { formatBytes, mediaKindOf, mediaUrl, mimeOf } from "./media";

describe("mimeOf", () => {
  it("takes the browser's type without parameters", () => {
    expect(mimeOf("Image/JPEG; charset=binary", "x.png")).toBe("image/jpeg");
  });
  it("guesses from the extension when the browser has none", () => {
    expect(mimeOf("", "Relatório.PDF")).toBe("application/pdf");
    expect(mimeOf(undefined, "voz.opus")).toBe("audio/ogg");
    expect(mimeOf("", "arquivo.xyz")).toBe("application/octet-stream");
    expect(mimeOf(null, null)).toBe("application/octet-stream");
  });
});

describe("mediaKindOf", () => {
  it("sends the formats WhatsApp plays inline as their own kind", () => {
    expect(mediaKindOf("image/jpeg", "whatsapp_meta")).toBe("image");
    expect(mediaKindOf("image/png", "whatsapp_meta")).toBe("image");
    expect(mediaKindOf("image/webp", "whatsapp_meta")).toBe("sticker");
    expect(mediaKindOf("audio/ogg", "whatsapp_meta")).toBe("audio");
    expect(mediaKindOf("video/mp4", "whatsapp_meta")).toBe("video");
  });
  it("sends the rest as documents on WhatsApp", () => {
    expect(mediaKindOf("image/gif", "whatsapp_meta")).toBe("document");
    expect(mediaKindOf("video/quicktime", "whatsapp_meta")).toBe("document");
    expect(mediaKindOf("application/pdf", "whatsapp_meta")).toBe("document");
    expect(mediaKindOf("", "whatsapp_meta")).toBe("document");
  });
  it("uses the MIME family elsewhere", () => {
    expect(mediaKindOf("image/gif", "sms")).toBe("image");
    expect(mediaKindOf("image/webp")).toBe("image");
    expect(mediaKindOf("audio/wav", "sms")).toBe("audio");
    expect(mediaKindOf("video/quicktime", "sms")).toBe("video");
    expect(mediaKindOf("text/csv", "sms")).toBe("document");
  });
});

describe("formatBytes and mediaUrl", () => {
  it("formats sizes in the locale", () => {
    expect(formatBytes(512, "en")).toBe("512 B");
    expect(formatBytes(1536, "pt-BR")).toBe("1,5 kB");
    expect(formatBytes(25 * 1024 * 1024, "en")).toBe("25 MB");
  });
  it("keeps the key's slashes and encodes each segment", () => {
    expect(mediaUrl("t1/ab/abc def")).toBe("/api/v1/media/t1/ab/abc%20def");
  });
});
