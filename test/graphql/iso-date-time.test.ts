// The DateTime scalar's own formatter must write exactly what Date.prototype.toISOString writes,
// for every date: its fast path (years 1000-9999) and what it leaves to toISOString.
import { describe, expect, it } from "vitest";
import { isoDateTime } from "../../src/graphql/iso-date-time.ts";

const MAX_TIME = 8.64e15; // the largest time value a Date holds

describe("isoDateTime", () => {
  it("writes what toISOString writes, at the edges", () => {
    const edges = [
      "1000-01-01T00:00:00.000Z",
      "9999-12-31T23:59:59.999Z",
      "1970-01-01T00:00:00.000Z",
      "2024-02-29T12:05:09.007Z",
      "2026-11-30T06:10:23.120Z",
      "2026-01-09T09:09:09.099Z",
    ].map((text) => new Date(text));
    const outside = [Date.UTC(999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), -MAX_TIME, MAX_TIME, -1, 0].map(
      (time) => new Date(time),
    );
    for (const date of [...edges, ...outside]) expect(isoDateTime(date)).toBe(date.toISOString());
  });

  it("writes what toISOString writes, for 100,000 dates over the whole range", () => {
    for (let i = 0; i < 100_000; i++) {
      // Half anywhere a Date can be, half in the years rows have.
      const time =
        i % 2 ? (Math.random() * 2 - 1) * MAX_TIME : Date.UTC(1000, 0, 1) + Math.random() * 9000 * 365.25 * 86_400_000;
      const date = new Date(Math.floor(time));
      expect(isoDateTime(date)).toBe(date.toISOString());
    }
  });

  it("refuses an invalid date as toISOString does", () => {
    expect(() => isoDateTime(new Date(NaN))).toThrow(RangeError);
  });
});
