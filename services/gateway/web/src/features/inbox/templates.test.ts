import { describe, expect, it } from "vitest";
import {
  buildTemplateContent,
  extractVariables,
  missingVariables,
  placeholders,
  renderSegments,
  renderTemplate,
  renderText,
  type TemplateLike,
} from "./templates";

const pedido: TemplateLike = {
  name: "pedido_enviado",
  language: "pt_BR",
  components: [
    { type: "HEADER", format: "TEXT", text: "Pedido {{1}}", example: { header_text: ["#1234"] } },
    {
      type: "BODY",
      text: "Olá {{1}}, seu pedido {{2}} saiu para entrega. Previsão: {{3}}. Obrigado, {{1}}!",
      example: { body_text: [["Maria", "#1234", "hoje às 18h"]] },
    },
    { type: "FOOTER", text: "Loja Exemplo" },
    {
      type: "BUTTONS",
      buttons: [
        { type: "QUICK_REPLY", text: "Falar com atendente" },
        { type: "URL", text: "Rastrear", url: "https://loja.example/rastreio/{{1}}", example: ["https://loja.example/rastreio/ABC"] },
      ],
    },
  ],
};

const named: TemplateLike = {
  name: "boas_vindas",
  language: "pt_BR",
  parameter_format: "NAMED",
  components: [
    {
      type: "body",
      text: "Oi {{nome}}! Seu cupom é {{ cupom }}.",
      example: { body_text_named_params: [{ param_name: "nome", example: "Ana" }, { param_name: "cupom", example: "BEMVINDO10" }] },
    },
  ],
};

const withImage: TemplateLike = {
  name: "promo",
  language: "pt_BR",
  components: [
    { type: "HEADER", format: "IMAGE", example: { header_handle: ["https://x/y.png"] } },
    { type: "BODY", text: "Promoção da semana!" },
  ],
};

describe("placeholders", () => {
  it("lists each placeholder once, positional ones by number", () => {
    expect(placeholders("{{2}} e {{1}} e {{2}}")).toEqual(["1", "2"]);
    expect(placeholders("{{b}} {{a}} {{b}}")).toEqual(["b", "a"]);
    expect(placeholders("sem variáveis")).toEqual([]);
    expect(placeholders(undefined)).toEqual([]);
  });
});

describe("extractVariables", () => {
  it("asks for the header, the body and URL buttons, with Meta's examples", () => {
    const slots = extractVariables(pedido);
    expect(slots.map((s) => s.key)).toEqual(["header.1", "body.1", "body.2", "body.3", "button.1.1"]);
    expect(slots.find((s) => s.key === "body.3")!.example).toBe("hoje às 18h");
    expect(slots.find((s) => s.key === "header.1")!.example).toBe("#1234");
    expect(slots.find((s) => s.key === "button.1.1")).toMatchObject({ component: "button", buttonIndex: 1 });
  });

  it("handles named placeholders (any case of component type, spaces inside braces)", () => {
    const slots = extractVariables(named);
    expect(slots.map((s) => [s.key, s.example])).toEqual([
      ["body.nome", "Ana"],
      ["body.cupom", "BEMVINDO10"],
    ]);
  });

  it("asks for a link for a media header", () => {
    expect(extractVariables(withImage)).toEqual([{ key: "header.media", component: "header", name: "media", kind: "image" }]);
  });

  it("reports what is still empty", () => {
    const slots = extractVariables(named);
    expect(missingVariables(slots, { "body.nome": "Ana", "body.cupom": "  " }).map((s) => s.key)).toEqual(["body.cupom"]);
  });
});

describe("rendering", () => {
  it("fills every occurrence and keeps empty placeholders visible", () => {
    expect(renderText("Olá {{1}}, pedido {{2}}. Até, {{1}}", { "1": "Maria" })).toBe("Olá Maria, pedido {{2}}. Até, Maria");
    expect(renderSegments("A {{1}} B", { "1": "x" })).toEqual([
      { text: "A " },
      { text: "x", variable: "1", filled: true },
      { text: " B" },
    ]);
  });

  it("renders the whole template for the preview", () => {
    const view = renderTemplate(pedido, { "header.1": "#77", "body.1": "João", "body.2": "#77", "body.3": "amanhã", "button.1.1": "XYZ" });
    expect(view.header!.segments.map((s) => s.text).join("")).toBe("Pedido #77");
    expect(view.body.map((s) => s.text).join("")).toBe("Olá João, seu pedido #77 saiu para entrega. Previsão: amanhã. Obrigado, João!");
    expect(view.footer).toBe("Loja Exemplo");
    expect(view.buttons).toEqual([
      { type: "QUICK_REPLY", text: "Falar com atendente", url: undefined },
      { type: "URL", text: "Rastrear", url: "https://loja.example/rastreio/XYZ" },
    ]);
  });
});

describe("buildTemplateContent", () => {
  it("sends positional parameters in order, per component", () => {
    const content = buildTemplateContent(pedido, {
      "header.1": "#77",
      "body.1": " João ",
      "body.2": "#77",
      "body.3": "amanhã",
      "button.1.1": "XYZ",
    });
    expect(content).toEqual({
      kind: "template",
      name: "pedido_enviado",
      language: "pt_BR",
      components: [
        { type: "header", parameters: [{ type: "text", text: "#77" }] },
        {
          type: "body",
          parameters: [
            { type: "text", text: "João" },
            { type: "text", text: "#77" },
            { type: "text", text: "amanhã" },
          ],
        },
        { type: "button", sub_type: "url", index: 1, parameters: [{ type: "text", text: "XYZ" }] },
      ],
    });
  });

  it("names the parameters of a NAMED template", () => {
    expect(buildTemplateContent(named, { "body.nome": "Ana", "body.cupom": "BEM10" }).components).toEqual([
      {
        type: "body",
        parameters: [
          { type: "text", parameter_name: "nome", text: "Ana" },
          { type: "text", parameter_name: "cupom", text: "BEM10" },
        ],
      },
    ]);
  });

  it("sends a media header as a link and no body component when the body has no variables", () => {
    expect(buildTemplateContent(withImage, { "header.media": "https://cdn.example/p.png" }).components).toEqual([
      { type: "header", parameters: [{ type: "image", media: { link: "https://cdn.example/p.png" } }] },
    ]);
  });
});
