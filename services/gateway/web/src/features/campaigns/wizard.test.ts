import { describe, expect, it } from "vitest";
import type { TemplateLike } from "@/features/inbox/templates";
import {
  addVariant,
  evenWeights,
  estimatedSeconds,
  firstInvalidStep,
  fromCampaign,
  initialState,
  removeVariant,
  toInput,
  tzOffsetMinutes,
  utcToZonedLocal,
  validateStep,
  valuesFromContent,
  withAbTest,
  withChannel,
  type WizardState,
  zonedToUtc,
} from "./wizard";
import { buildTemplateContent } from "@/features/inbox/templates";
import { countsOf } from "./live";

const NOW = new Date("2025-03-10T15:00:00Z");
/** What the service adds to a campaign it stores (a draft). */
const STORED = {
  state: "draft" as const,
  created_at: NOW.toISOString(),
  updated_at: NOW.toISOString(),
  counts: countsOf({}),
  snapshot: { state: "not_started" as const },
  launched_at: null,
  paused_at: null,
  completed_at: null,
};

const promo: TemplateLike = {
  name: "promo",
  language: "pt_BR",
  components: [
    { type: "HEADER", format: "TEXT", text: "Oferta {{1}}" },
    { type: "BODY", text: "Olá {{1}}, {{2}} com desconto!" },
    { type: "BUTTONS", buttons: [{ type: "URL", text: "Ver", url: "https://loja.example/{{1}}" }] },
  ],
};

function ready(): WizardState {
  const s = initialState();
  return {
    ...s,
    name: "Black Friday",
    senderIds: ["n1"],
    tagsInclude: ["vip"],
    variants: [{ ...s.variants[0]!, kind: "text", text: "Oi {{first_name|Cliente}}!" }],
  };
}

describe("campaign form checks", () => {
  it("asks for a name and a sender on the first step", () => {
    const s = initialState();
    expect(validateStep(s, "channel")).toEqual({ name: "required", senders: "pickSender" });
    expect(validateStep({ ...s, name: "x".repeat(121), senderIds: ["a"] }, "channel")).toEqual({ name: "tooLong" });
    expect(validateStep({ ...s, name: "Ok", channel: "whatsapp_qr" }, "channel")).toEqual({});
  });

  it("wants at least one audience criterion, a segment, or an upload with matches", () => {
    const s = ready();
    expect(validateStep({ ...s, tagsInclude: [] }, "audience")).toEqual({ criteria: "pickCriterion" });
    expect(validateStep(s, "audience")).toEqual({});
    expect(validateStep({ ...s, audienceMode: "segment" }, "audience")).toEqual({ segment: "pickSegment" });
    expect(validateStep({ ...s, audienceMode: "upload" }, "audience")).toEqual({ upload: "uploadFirst" });
    expect(validateStep({ ...s, audienceMode: "upload", upload: { upload_id: "u", rows: 3, matched: 0, unmatched: [] } }, "audience")).toEqual({
      upload: "uploadEmpty",
    });
    const bad = { ...s, fields: [{ key: "Cidade", value: "" }], stageIds: "nope", activity: "active" as const, activityDays: 0 };
    expect(validateStep(bad, "audience")).toEqual({
      "fields.0.key": "fieldKey",
      "fields.0.value": "required",
      stageIds: "stageIds",
      activityDays: "days",
    });
  });

  it("checks each variant's content and the A/B split", () => {
    const s = ready();
    expect(validateStep(s, "message")).toEqual({});
    expect(validateStep({ ...s, variants: [{ ...s.variants[0]!, text: " " }] }, "message")).toEqual({ "variants.0.text": "required" });
    expect(validateStep({ ...s, channel: "sms", variants: [{ ...s.variants[0]!, text: "x".repeat(1601) }] }, "message")).toEqual({
      "variants.0.text": "tooLong",
    });
    const tpl = { ...s, variants: [{ ...s.variants[0]!, kind: "template" as const, template: promo, templateValues: { "header.1": "Natal" } }] };
    expect(validateStep(tpl, "message")).toEqual({ "variants.0.template": "templateValues" });
    expect(validateStep({ ...tpl, variants: [{ ...tpl.variants[0]!, template: null }] }, "message")).toEqual({ "variants.0.template": "pickTemplate" });
    const ab = withAbTest(s, true);
    expect(ab.variants.map((v) => [v.name, v.weight])).toEqual([["A", 50], ["B", 50]]);
    expect(validateStep(ab, "message")).toEqual({ "variants.1.text": "required" });
    const skew = { ...ab, variants: [{ ...ab.variants[0]!, weight: 70 }, { ...ab.variants[1]!, text: "b", weight: 20 }] };
    expect(validateStep(skew, "message")).toEqual({ weights: "weights" });
  });

  it("checks the schedule", () => {
    const s = ready();
    expect(validateStep(s, "schedule", NOW)).toEqual({});
    expect(validateStep({ ...s, startMode: "later" }, "schedule", NOW)).toEqual({ startLocal: "required" });
    expect(validateStep({ ...s, startMode: "later", startLocal: "2025-03-10T11:00" }, "schedule", NOW)).toEqual({ startLocal: "startInPast" });
    expect(validateStep({ ...s, startMode: "later", startLocal: "2025-03-10T13:00" }, "schedule", NOW)).toEqual({});
    expect(
      validateStep({ ...s, quietHours: true, quietStart: "21:00", quietEnd: "21:00", days: [], messagesPerSecond: 0, maxAttempts: 11 }, "schedule", NOW),
    ).toEqual({ quietHours: "quietHours", days: "pickDays", messagesPerSecond: "mps", maxAttempts: "attempts" });
  });

  it("finds the first step to fix before launch", () => {
    expect(firstInvalidStep(ready(), NOW)).toBeNull();
    expect(firstInvalidStep({ ...ready(), tagsInclude: [] }, NOW)).toBe("audience");
    expect(Object.keys(validateStep({ ...ready(), name: "" }, "review", NOW))).toEqual(["name"]);
  });
});

describe("A/B variants", () => {
  it("reads the API's relative weights as percents adding up to 100", async () => {
    const { asPercents } = await import("./wizard");
    expect(asPercents([1, 1])).toEqual([50, 50]);
    expect(asPercents([3, 1])).toEqual([75, 25]);
    expect(asPercents([1, 1, 1])).toEqual([34, 33, 33]);
    expect(asPercents([70, 30])).toEqual([70, 30]);
    expect(asPercents([0, 0])).toEqual([50, 50]);
  });

  it("splits 100 % evenly", () => {
    expect(evenWeights(1)).toEqual([100]);
    expect(evenWeights(3)).toEqual([34, 33, 33]);
    expect(evenWeights(4)).toEqual([25, 25, 25, 25]);
  });

  it("adds and removes variants, back to one at 100 %", () => {
    let s = withAbTest(ready(), true);
    s = addVariant(s);
    expect(s.variants.map((v) => v.name)).toEqual(["A", "B", "C"]);
    s = removeVariant(s, 1);
    expect(s.variants.map((v) => [v.name, v.weight])).toEqual([["A", 50], ["C", 50]]);
    s = removeVariant(s, 1);
    expect(s.abTest).toBe(false);
    expect(s.variants).toHaveLength(1);
    expect(s.variants[0]!.weight).toBe(100);
  });

  it("drops templates and senders when the channel changes to SMS", () => {
    const s = { ...ready(), variants: [{ ...ready().variants[0]!, kind: "template" as const, template: promo }] };
    const sms = withChannel(s, "sms");
    expect(sms.senderIds).toEqual([]);
    expect(sms.variants[0]!.kind).toBe("text");
    expect(sms.variants[0]!.template).toBeNull();
  });
});

describe("time zones", () => {
  it("knows São Paulo is three hours behind UTC", () => {
    expect(tzOffsetMinutes(NOW, "America/Sao_Paulo")).toBe(-180);
    expect(tzOffsetMinutes(NOW, "UTC")).toBe(0);
  });

  it("turns a wall-clock time in a zone into UTC and back", () => {
    expect(zonedToUtc("2025-03-10T09:30", "America/Sao_Paulo")?.toISOString()).toBe("2025-03-10T12:30:00.000Z");
    expect(zonedToUtc("2025-07-01T09:00", "Europe/Lisbon")?.toISOString()).toBe("2025-07-01T08:00:00.000Z");
    expect(zonedToUtc("bad", "UTC")).toBeNull();
    expect(zonedToUtc("2025-03-10T09:30", "Not/AZone")).toBeNull();
    expect(utcToZonedLocal("2025-03-10T12:30:00Z", "America/Sao_Paulo")).toBe("2025-03-10T09:30");
  });
});

describe("the API body", () => {
  it("builds audience, message, schedule and pacing", () => {
    const s = { ...ready(), tagsExclude: ["descadastrado"], fields: [{ key: "cidade", value: " Recife " }], activity: "inactive" as const, activityDays: 7 };
    const body = toInput({ ...s, startMode: "later", startLocal: "2025-03-11T09:00", quietHours: true, days: [4, 0, 1, 2, 3] }, NOW);
    expect(body.audience).toEqual({
      filter: { tags_any: ["vip"], tags_none: ["descadastrado"], custom_fields: { cidade: "Recife" }, last_inbound_before: "2025-03-03T15:00:00.000Z" },
    });
    expect(body.message).toEqual({ variants: [{ name: "A", weight: 100, content: { kind: "text", body: "Oi {{first_name|Cliente}}!" } }] });
    expect(body.schedule).toEqual({ start_at: "2025-03-11T12:00:00.000Z", timezone: "America/Sao_Paulo", quiet_hours: { start: "21:00", end: "08:00" }, days: [0, 1, 2, 3, 4] });
    expect(body).toMatchObject({ name: "Black Friday", channel: "whatsapp_meta", messages_per_second: 20, channel_account_ids: ["n1"], duplicate_window_hours: 24, max_attempts: 3 });
    expect(toInput({ ...ready(), tagsMatch: "all", activity: "active", activityDays: 30 }, NOW).audience).toEqual({ filter: { tags_all: ["vip"], last_inbound_within_days: 30 } });
    expect(toInput({ ...ready(), audienceMode: "all" }, NOW).audience).toEqual({ filter: {} });
    expect(fromCampaign({ ...toInput({ ...ready(), audienceMode: "all" }, NOW), ...STORED, id: "c" }, NOW).audienceMode).toBe("all");
    expect(toInput({ ...ready(), audienceMode: "segment", segmentId: "s1" }, NOW).audience).toEqual({ segment_id: "s1" });
  });

  it("round-trips a draft through the form", () => {
    const values = { "header.1": "de Natal", "body.1": "{{first_name|Cliente}}", "body.2": "tudo", "button.0.1": "natal" };
    const s: WizardState = { ...ready(), variants: [{ ...ready().variants[0]!, kind: "template", template: promo, templateValues: values }] };
    const body = toInput(s, NOW);
    const back = fromCampaign({ ...body, ...STORED, id: "c1" }, NOW);
    expect(back.name).toBe("Black Friday");
    expect(back.tagsInclude).toEqual(["vip"]);
    const pending = back.variants[0]!.pendingTemplate!;
    expect(pending.name).toBe("promo");
    expect(valuesFromContent(promo, pending)).toEqual(values);
    expect(valuesFromContent(promo, buildTemplateContent(promo, {}))).toEqual({ "header.1": "", "body.1": "", "body.2": "", "button.0.1": "" });
  });

  it("schedules in the tenant's time zone unless the campaign chose one", () => {
    const lisbon = { ...ready(), ...initialState("Europe/Lisbon"), name: "Natal", senderIds: ["n1"], tagsInclude: ["vip"], variants: ready().variants };
    const body = toInput({ ...lisbon, startMode: "later", startLocal: "2025-03-11T09:00" }, NOW);
    expect(body.schedule).toMatchObject({ timezone: "Europe/Lisbon", start_at: "2025-03-11T09:00:00.000Z" });
    const stored = { ...body, ...STORED, id: "c2" };
    expect(fromCampaign(stored, NOW, "America/Manaus").timezone).toBe("Europe/Lisbon");
    const zoneless = { ...stored, schedule: { ...stored.schedule, timezone: null } };
    expect(fromCampaign(zoneless, NOW, "America/Manaus")).toMatchObject({ timezone: "America/Manaus", startLocal: "2025-03-11T05:00" });
  });

  it("estimates the duration at the pace asked", () => {
    expect(estimatedSeconds(1000, 20)).toBe(50);
    expect(estimatedSeconds(1001, 20)).toBe(51);
    expect(estimatedSeconds(0, 20)).toBe(0);
  });
});

describe("test-send number", () => {
  it("reads international and Brazilian national numbers", async () => {
    const { toE164 } = await import("./wizard");
    expect(toE164("+55 11 98765-4321")).toBe("+5511987654321");
    expect(toE164("(11) 98765-4321")).toBe("+5511987654321");
    expect(toE164("0055 11 3456-7890")).toBe("+551134567890");
    expect(toE164("+1 415-555-0100")).toBe("+14155550100");
    expect(toE164("1234")).toBeNull();
    expect(toE164("")).toBeNull();
  });
});
