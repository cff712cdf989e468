import { describe, expect, it } from "vitest";
import { dictionaries } from "./index";
import { pickLanguage } from "./detect";

describe("pickLanguage", () => {
  it("keeps the language the user picked", () => {
    expect(pickLanguage("en", ["pt-BR"])).toBe("en");
    expect(pickLanguage("pt-BR", ["en-US"])).toBe("pt-BR");
  });

  it("ignores a stored value it does not know", () => {
    expect(pickLanguage("fr", ["en-GB"])).toBe("en");
    expect(pickLanguage("", [])).toBe("pt-BR");
  });

  it("follows the browser for English and Portuguese", () => {
    expect(pickLanguage(null, ["en-US", "pt-BR"])).toBe("en");
    expect(pickLanguage(null, ["EN"])).toBe("en");
    expect(pickLanguage(null, ["pt-BR", "en"])).toBe("pt-BR");
    expect(pickLanguage(null, ["pt-PT"])).toBe("pt-BR");
  });

  it("uses the first language it speaks in the browser's order", () => {
    expect(pickLanguage(null, ["es-AR", "en-US"])).toBe("en");
    expect(pickLanguage(null, ["de", "pt", "en"])).toBe("pt-BR");
  });

  it("defaults to pt-BR for anything else", () => {
    expect(pickLanguage(null, ["es-ES", "fr"])).toBe("pt-BR");
    expect(pickLanguage(undefined, [])).toBe("pt-BR");
    expect(pickLanguage(null, ["english"])).toBe("pt-BR");
  });
});

describe("dictionaries", () => {
  const shape = (value: unknown): unknown =>
    typeof value === "object" && value !== null
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]))
      : typeof value;

  it("have the same keys in both languages", () => {
    expect(shape(dictionaries.en)).toEqual(shape(dictionaries["pt-BR"]));
  });

  it("really are translated", () => {
    expect(dictionaries["pt-BR"].nav.inbox).toBe("Conversas");
    expect(dictionaries.en.nav.inbox).toBe("Inbox");
    expect(dictionaries["pt-BR"].inbox.connectTitle).toBe("Conecte um número do WhatsApp para começar");
  });
});
