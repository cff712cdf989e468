import { describe, expect, it } from "vitest";
import type { Cadence } from "@/api/cadences";
import { cumulativeMinutes, delayMinutes, fromCadence, initialCadence, moveStep, newStep, toCadenceInput, validateCadence, type CadenceState } from "./cadence";

function ready(): CadenceState {
  const s = initialCadence();
  const first = { ...s.steps[0]!, content: { ...s.steps[0]!.content, kind: "text" as const, text: "Oi {{first_name|Cliente}}" } };
  const second = { ...newStep(first), channel: "sms" as const, content: { ...newStep(first).content, kind: "text" as const, text: "Ainda com dúvidas?" } };
  return { ...s, name: "Boas-vindas", steps: [first, second] };
}

describe("cadence builder", () => {
  it("keeps business hours in the tenant's time zone", () => {
    expect(initialCadence("Europe/Lisbon").timezone).toBe("Europe/Lisbon");
    expect(toCadenceInput({ ...ready(), timezone: "Europe/Lisbon" }).business_hours?.timezone).toBe("Europe/Lisbon");
  });

  it("starts with one step now and follows up a day later only without a reply", () => {
    const s = ready();
    expect(s.steps[0]).toMatchObject({ delayValue: 0, condition: "always" });
    expect(s.steps[1]).toMatchObject({ delayValue: 1, delayUnit: "days", condition: "no_reply" });
    expect(validateCadence(s)).toEqual({});
  });

  it("checks names, delays, conditions, stages, hours and windows", () => {
    const s = ready();
    const bad: CadenceState = {
      ...s,
      name: "",
      steps: [
        { ...s.steps[0]!, condition: "no_reply" },
        { ...s.steps[1]!, delayValue: -1, condition: "stage_is", stageId: "x", content: { ...s.steps[1]!.content, text: "" } },
      ],
      start: "18:00",
      end: "09:00",
      days: [],
      enrolOnStage: true,
      enrolStageId: "",
      duplicateWindowHours: 1000,
    };
    expect(validateCadence(bad)).toEqual({
      name: "required",
      "steps.0.condition": "firstCondition",
      "steps.1.delay": "delay",
      "steps.1.stage": "stage",
      "steps.1.text": "required",
      hours: "hours",
      days: "pickDays",
      enrolStageId: "stage",
      duplicateWindowHours: "window",
    });
    expect(validateCadence({ ...s, steps: [] })).toMatchObject({ steps: "noSteps" });
    expect(validateCadence({ ...s, steps: [{ ...s.steps[0]!, content: { ...s.steps[0]!.content, kind: "template", template: null } }] })).toEqual({
      "steps.0.template": "pickTemplate",
    });
  });

  it("moves steps and says when each runs", () => {
    const s = ready();
    const third = { ...newStep(s.steps[1]), delayValue: 3, delayUnit: "hours" as const };
    const steps = [...s.steps, third];
    expect(moveStep(steps, 2, 0).map((x) => x.key)).toEqual([third.key, s.steps[0]!.key, s.steps[1]!.key]);
    expect(moveStep(steps, 0, 99).map((x) => x.key)).toEqual([s.steps[1]!.key, third.key, s.steps[0]!.key]);
    expect(moveStep(steps, 1, 1)).toBe(steps);
    expect(delayMinutes(2, "hours")).toBe(120);
    expect(cumulativeMinutes(steps)).toEqual([0, 1440, 1620]);
  });

  it("builds the API body and reads a saved cadence back", () => {
    const s = { ...ready(), enrolOnStage: true, enrolStageId: "0190d0a0-0000-7000-8000-000000000001" };
    const body = toCadenceInput(s);
    expect(body).toEqual({
      name: "Boas-vindas",
      steps: [
        { channel: "whatsapp_meta", content: { kind: "text", body: "Oi {{first_name|Cliente}}" }, delay: { value: 0, unit: "minutes" }, condition: "always", stage_id: null, channel_account_id: null },
        { channel: "sms", content: { kind: "text", body: "Ainda com dúvidas?" }, delay: { value: 1, unit: "days" }, condition: "no_reply", stage_id: null, channel_account_id: null },
      ],
      business_hours: { timezone: "America/Sao_Paulo", days: [0, 1, 2, 3, 4], start: "09:00", end: "18:00" },
      stop_on_reply: true,
      stop_on_stage_change: false,
      enrol_on_stage_id: "0190d0a0-0000-7000-8000-000000000001",
      duplicate_window_hours: 24,
    });
    const saved: Cadence = {
      ...body,
      id: "k1",
      state: "draft",
      enrolments: { total: 0, active: 0, completed: 0, stopped: 0 },
      created_at: "2025-01-01T00:00:00Z",
      updated_at: "2025-01-01T00:00:00Z",
      activated_at: null,
      paused_at: null,
      steps: [
        { ...body.steps[1]!, id: "b", position: 1, since: "enrolment", stage_id: null, channel_account_id: null },
        { ...body.steps[0]!, id: "a", position: 0, since: "enrolment", stage_id: null, channel_account_id: null, content: { kind: "template", name: "oi", language: "pt_BR", components: [] } },
      ],
    };
    const back = fromCadence(saved);
    expect(back.steps.map((x) => x.id)).toEqual(["a", "b"]);
    expect(back.steps[0]!.content.pendingTemplate?.name).toBe("oi");
    expect(back.steps[1]!.content.text).toBe("Ainda com dúvidas?");
    expect(back.enrolOnStage).toBe(true);
    expect(toCadenceInput(back).steps[1]).toEqual({ ...body.steps[1], channel_account_id: null });
    expect(toCadenceInput(back).steps[1]).not.toHaveProperty("id");
  });
});
