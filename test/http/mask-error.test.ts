// What clients see of errors that come from the database layer: each class of failure maps to
// its coded, client-safe error, and nothing internal leaks into the message.
import { GraphQLError } from "graphql";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createMaskError } from "../../src/http/mask-error.ts";

const mask = createMaskError(pino({ level: "silent" }));
/** As Yoga hands a resolver's error over: a GraphQLError wrapping the driver's. */
const wrapped = (cause: object) =>
  new GraphQLError("boom", { originalError: Object.assign(new Error("internal detail"), cause) });

describe("masked errors", () => {
  it.each([
    ["no pooled connection in time (P2028)", { code: "P2028" }, "TENANT_BUSY", 503],
    [
      "statement timeout (57014, inside Prisma's driver-adapter error)",
      { meta: { driverAdapterError: { cause: { originalCode: "57014" } } } },
      "QUERY_TIMEOUT",
      503,
    ],
    ["terminated backend (57P01)", { code: "57P01" }, "TENANT_UNAVAILABLE", 503],
    ["malformed uuid (22P02)", { code: "22P02" }, "BAD_USER_INPUT", 400],
  ])("%s", (_what, cause, code, status) => {
    const error = mask(wrapped(cause), "Unexpected error.") as GraphQLError;
    expect(error.extensions).toMatchObject({ code, http: { status } });
    expect(error.message).not.toContain("internal detail");
  });

  it("masks anything else as an internal error without detail", () => {
    const error = mask(wrapped({ code: "XX000" }), "Unexpected error.") as GraphQLError;
    expect(error.message).toBe("Unexpected error.");
    expect(error.extensions.code).toBe("INTERNAL_SERVER_ERROR");
  });
});
