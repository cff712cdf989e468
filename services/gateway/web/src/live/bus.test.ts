import { describe, expect, it } from "vitest";
import { createLiveBus } from "./bus";
import type { LiveEnvelope } from "./patch";

const envelope = (type: string): LiveEnvelope => ({ id: "1", type, tenant: "t", time: "2025-01-01T12:00:00Z", data: {} });

describe("the live event bus", () => {
  it("hands every event to each subscriber until it unsubscribes", () => {
    const bus = createLiveBus();
    const a: string[] = [];
    const b: string[] = [];
    const stopA = bus.subscribe((e) => a.push(e.type));
    bus.subscribe((e) => b.push(e.type));
    bus.publish(envelope("campaign.progressed"));
    stopA();
    bus.publish(envelope("campaign.state_changed"));
    expect(a).toEqual(["campaign.progressed"]);
    expect(b).toEqual(["campaign.progressed", "campaign.state_changed"]);
  });

  it("keeps delivering to the others when one subscriber throws", () => {
    const bus = createLiveBus();
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error("broken page");
    });
    bus.subscribe((e) => seen.push(e.type));
    bus.publish(envelope("message.stored"));
    expect(seen).toEqual(["message.stored"]);
  });
});
