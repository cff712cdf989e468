import { describe, expect, it } from "vitest";
import type { Contact } from "@/api/contacts";
import { applyContactPatch, parseTags } from "./contactPatch";

const contact: Contact = {
  id: "k1",
  phone: "+5511999990001",
  name: "Ana",
  email: null,
  tags: ["cliente"],
  custom_fields: { cidade: "Recife", plano: "ouro" },
  consent: {},
  last_inbound_at: {},
  created_at: "2025-06-18T12:00:00Z",
  updated_at: "2025-06-18T12:00:00Z",
};

describe("applyContactPatch", () => {
  it("replaces tags and merges custom fields, null removing one", () => {
    const next = applyContactPatch(contact, { tags: ["vip"], custom_fields: { plano: null, bairro: "Boa Viagem" } });
    expect(next.tags).toEqual(["vip"]);
    expect(next.custom_fields).toEqual({ cidade: "Recife", bairro: "Boa Viagem" });
    expect(contact.custom_fields).toEqual({ cidade: "Recife", plano: "ouro" });
  });
  it("leaves out what the patch does not name", () => {
    expect(applyContactPatch(contact, { email: "ana@x.com" })).toMatchObject({ name: "Ana", email: "ana@x.com", tags: ["cliente"] });
  });
});

describe("parseTags", () => {
  it("trims, drops empties and repeats (any case)", () => {
    expect(parseTags(" cliente, vip ,, VIP,Cliente ,novo ")).toEqual(["cliente", "vip", "novo"]);
  });
});
