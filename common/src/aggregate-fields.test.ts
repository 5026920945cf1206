import { describe, expect, it } from "vitest";
import { aggregateFields, extraAggregateFields, fieldsRead, numericValue } from "./aggregate-fields.ts";
import { loadConfig } from "./config.ts";

describe("AGGREGATE_FIELDS", () => {
  it("is age alone by default; other fields come after it", () => {
    expect(aggregateFields(loadConfig({}))).toEqual(["age"]);
    const config = loadConfig({ AGGREGATE_FIELDS: "age, registeredYears ,score" });
    expect(extraAggregateFields(config)).toEqual(["registeredYears", "score"]);
  });

  it("refuses a list without age first, a field twice or a bad name, naming the setting", () => {
    for (const bad of ["registeredYears", "registeredYears,age", "age,score,score", "age,drop table"]) {
      expect(() => loadConfig({ AGGREGATE_FIELDS: bad }), bad).toThrow(/AGGREGATE_FIELDS/);
    }
  });

  it("reads record fields by name and derives registeredYears from registered_at at the event", () => {
    expect(fieldsRead(["registeredYears", "score"])).toEqual(["registered_at", "score"]);
    const rec = {
      event_time: Date.UTC(2026, 0, 1),
      registered_at: Date.UTC(2016, 0, 2),
      score: 7.5,
      label: "x",
    };
    expect(numericValue(rec, "registeredYears")).toBe(9);
    expect(numericValue({ ...rec, registered_at: Date.UTC(2015, 11, 31) }, "registeredYears")).toBe(10);
    expect(numericValue(rec, "score")).toBe(7.5);
    // Not a number, or absent (a schema version without it): NaN, counted nowhere.
    expect(numericValue(rec, "label")).toBeNaN();
    expect(numericValue({ event_time: 1 }, "registeredYears")).toBeNaN();
  });
});
