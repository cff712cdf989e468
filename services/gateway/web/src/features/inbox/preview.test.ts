import { describe, expect, it } from "vitest";
import { previewOf } from "./preview";

describe("previewOf", () => {
  it("matches the server's previews", () => {
    expect(previewOf({ kind: "text", body: "  oi,\n\ntudo   bem? " })).toBe("oi, tudo bem?");
    expect(previewOf({ kind: "image", storage_key: "k", caption: "nota fiscal" })).toBe("[image] nota fiscal");
    expect(previewOf({ kind: "document", storage_key: "k" })).toBe("[document]");
    expect(previewOf({ kind: "template", name: "pedido_enviado", language: "pt_BR", components: [] })).toBe("[template] pedido_enviado");
    expect(previewOf({ kind: "text", body: "x".repeat(130) })).toBe(`${"x".repeat(119)}…`);
  });
});
