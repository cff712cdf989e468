import { describe, expect, it } from "vitest";
import { type ImportProgress, isFinished, percent, reduceImport, toProgress } from "./importProgress";

const at = (processed: number, extra: Partial<ImportProgress> = {}): ImportProgress => ({
  import_id: "imp-1",
  state: "running",
  total_rows: 1000,
  processed_rows: processed,
  imported_rows: processed - Math.floor(processed / 10),
  failed_rows: Math.floor(processed / 10),
  ...extra,
});

describe("toProgress", () => {
  it("reads an event's data", () => {
    expect(
      toProgress({ import_id: "i", state: "running", total_rows: 10, processed_rows: 4, imported_rows: 3, failed_rows: 1, occurred_at: "t" }),
    ).toEqual({ import_id: "i", state: "running", total_rows: 10, processed_rows: 4, imported_rows: 3, failed_rows: 1, at: "t", error: null });
  });
  it("reads a poll's body with short names", () => {
    expect(toProgress({ id: "i", state: "COMPLETED", total: 10, processed: 10, imported: 9, failed: 1 })).toMatchObject({
      import_id: "i",
      state: "completed",
      total_rows: 10,
      imported_rows: 9,
      failed_rows: 1,
    });
    expect(toProgress({ status: "pending" }, "x")).toMatchObject({ import_id: "x", state: "queued", total_rows: 0 });
  });
});

describe("reduceImport", () => {
  it("moves forward only, whatever order reports arrive in", () => {
    let p = reduceImport(null, at(200));
    p = reduceImport(p, at(600));
    p = reduceImport(p, at(400)); // a late poll
    expect(p.processed_rows).toBe(600);
    expect(p.failed_rows).toBe(60);
  });

  it("keeps a finished import finished and takes the final counts", () => {
    const done = at(1000, { state: "completed", imported_rows: 990, failed_rows: 10 });
    let p = reduceImport(at(900), done);
    expect(p).toMatchObject({ state: "completed", processed_rows: 1000, imported_rows: 990, failed_rows: 10 });
    p = reduceImport(p, at(950));
    expect(p.state).toBe("completed");
    expect(isFinished(p)).toBe(true);
  });

  it("starts from a queued import and ignores another import's reports", () => {
    const queued = at(0, { state: "queued", total_rows: 0 });
    expect(reduceImport(queued, at(10)).state).toBe("running");
    expect(reduceImport(queued, at(10, { import_id: "other" })).import_id).toBe("other");
  });
});

describe("percent", () => {
  it("is 0..100, full when completed", () => {
    expect(percent(null)).toBe(0);
    expect(percent(at(0, { total_rows: 0 }))).toBe(0);
    expect(percent(at(333))).toBe(33);
    expect(percent(at(1000))).toBe(100);
    expect(percent(at(10, { state: "completed", total_rows: 0 }))).toBe(100);
  });
});
