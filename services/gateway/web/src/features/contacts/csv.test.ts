import { describe, expect, it } from "vitest";
import { detectDelimiter, guessMapping, mappingForApi, parseRecords, previewCsv, slug, validateMapping } from "./csv";

describe("parsing the start of a CSV", () => {
  it("reads quoted cells with delimiters, quotes and newlines inside", () => {
    const text = 'nome,telefone,obs\r\n"Silva, Ana",+5511999990001,"disse ""oi""\nduas linhas"\nBeto,11988887777,\n';
    expect(parseRecords(text, ",", 10)).toEqual([
      ["nome", "telefone", "obs"],
      ["Silva, Ana", "+5511999990001", 'disse "oi"\nduas linhas'],
      ["Beto", "11988887777", ""],
    ]);
  });

  it("drops a record cut off at the end of the chunk, keeps it when the text is the whole file", () => {
    expect(parseRecords("a,b\n1,2\n3,", ",", 10)).toEqual([["a", "b"], ["1", "2"]]);
    expect(parseRecords("a,b\n1,2\n3,4", ",", 10, true)).toEqual([["a", "b"], ["1", "2"], ["3", "4"]]);
  });

  it("detects the delimiter Excel used", () => {
    expect(detectDelimiter("Nome;Telefone;E-mail")).toBe(";");
    expect(detectDelimiter("nome\ttelefone")).toBe("\t");
    expect(detectDelimiter('"a;b",c,d')).toBe(",");
    expect(detectDelimiter("telefone")).toBe(",");
  });

  it("previews the header (without BOM) and a few rows", () => {
    const preview = previewCsv("\uFEFFNome;Celular;;Cidade\nAna;11999990001;x;São Paulo\nBia;11999990002;y;Recife\n", {
      maxRows: 1,
      blankName: (n) => `Coluna ${n}`,
    });
    expect(preview).toEqual({
      delimiter: ";",
      columns: ["Nome", "Celular", "Coluna 3", "Cidade"],
      rows: [["Ana", "11999990001", "x", "São Paulo"]],
    });
  });
});

describe("guessing the mapping", () => {
  it("slugs headers without accents", () => {
    expect(slug("Telefone (WhatsApp)")).toBe("telefone_whatsapp");
    expect(slug(" Nome Completo ")).toBe("nome_completo");
    expect(slug("Data de Aniversário")).toBe("data_de_aniversario");
  });

  it("maps Portuguese and English headers, and the rest to custom fields", () => {
    expect(guessMapping(["Nome", "Celular", "E-mail", "Etiquetas", "Cidade", "Telefone fixo", "Data de Aniversário"])).toEqual({
      Nome: "name",
      Celular: "phone",
      "E-mail": "email",
      Etiquetas: "tags",
      Cidade: "custom:cidade",
      "Telefone fixo": "custom:telefone_fixo",
      "Data de Aniversário": "custom:data_de_aniversario",
    });
    expect(guessMapping(["phone_number", "full_name", "email", "labels"])).toEqual({
      phone_number: "phone",
      full_name: "name",
      email: "email",
      labels: "tags",
    });
  });

  it("ignores columns it cannot name, and a second column with the same custom field", () => {
    expect(guessMapping(["telefone", "???", "cidade", "Cidade"])).toEqual({
      telefone: "phone",
      "???": "ignore",
      cidade: "custom:cidade",
      Cidade: "ignore",
    });
  });
});

describe("validating the mapping", () => {
  it("needs exactly one phone column and each field once", () => {
    expect(validateMapping({ a: "name", b: "ignore" })).toEqual([{ kind: "no_phone" }]);
    expect(validateMapping({ a: "phone", b: "phone", c: "custom:x" })).toEqual([{ kind: "duplicate", target: "phone", columns: ["a", "b"] }]);
    expect(validateMapping({ a: "phone", b: "custom:Not Valid" })).toEqual([{ kind: "bad_custom", column: "b" }]);
    expect(validateMapping({ a: "phone", b: "tags", c: "custom:cidade" })).toEqual([]);
  });

  it("sends only the columns in use", () => {
    expect(mappingForApi({ Celular: "phone", Lixo: "ignore", Cidade: "custom:cidade" })).toEqual({ Celular: "phone", Cidade: "custom:cidade" });
  });
});
