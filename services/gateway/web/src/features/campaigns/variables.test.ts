import { describe, expect, it } from "vitest";
import { insertAt, isFieldKey, renderLocal, usedVariables, variableToken, withoutFallback } from "./variables";

describe("campaign variables", () => {
  it("builds a token with its fallback, dropping characters that would break it", () => {
    expect(variableToken("first_name")).toBe("{{first_name}}");
    expect(variableToken("first_name", " Cliente ")).toBe("{{first_name|Cliente}}");
    expect(variableToken("custom.cidade", "sua {cidade}|x")).toBe("{{custom.cidade|sua cidadex}}");
  });

  it("inserts at the caret or over the selection", () => {
    expect(insertAt("Olá !", 4, 4, "{{name}}")).toEqual({ text: "Olá {{name}}!", caret: 12 });
    expect(insertAt("Olá XX!", 4, 6, "{{name}}")).toEqual({ text: "Olá {{name}}!", caret: 12 });
    expect(insertAt("abc", 99, 99, "!")).toEqual({ text: "abc!", caret: 4 });
  });

  it("lists the variables a text uses and those without a fallback", () => {
    const text = "Oi {{first_name|Cliente}}, seu pedido em {{ custom.cidade }} ({{phone}}) {{email}} {{first_name|Cliente}}";
    expect(usedVariables(text)).toEqual([
      { name: "first_name", fallback: "Cliente" },
      { name: "custom.cidade", fallback: null },
      { name: "phone", fallback: null },
      { name: "email", fallback: null },
    ]);
    expect(withoutFallback(text)).toEqual(["custom.cidade", "email"]);
  });

  it("renders locally with values, then fallbacks, and reports what is missing", () => {
    expect(renderLocal("Oi {{first_name|Cliente}} de {{custom.cidade}}", { first_name: "Ana" })).toEqual({
      text: "Oi Ana de {{custom.cidade}}",
      missing: ["custom.cidade"],
    });
    expect(renderLocal("Oi {{first_name|Cliente}}", {}).text).toBe("Oi Cliente");
  });

  it("accepts field keys the way contacts store them", () => {
    expect(isFieldKey("cidade")).toBe(true);
    expect(isFieldKey("plano_2024")).toBe(true);
    expect(isFieldKey("Cidade")).toBe(false);
    expect(isFieldKey("2x")).toBe(false);
    expect(isFieldKey("")).toBe(false);
  });
});
