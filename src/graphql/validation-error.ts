// Declarative input validation (zod schemas on input fields, via the Pothos validation
// plugin) fails with BAD_USER_INPUT naming the field: `extensions.field` is the input field
// at fault ("name"), `extensions.path` the full path ("input.name").
import type { StandardSchemaV1 } from "@pothos/plugin-validation";
import type { GraphQLError } from "graphql";
import { appError } from "../errors.ts";

function pathOf(issue: StandardSchemaV1.Issue): string[] {
  return (issue.path ?? []).map((segment) => String(typeof segment === "object" ? segment.key : segment));
}

export function validationError(failure: StandardSchemaV1.FailureResult): GraphQLError {
  const issue = failure.issues[0];
  const path = issue ? pathOf(issue) : [];
  // The innermost named segment: list indices ("dependsOnIds.2") name their list.
  const field = [...path].reverse().find((segment) => !/^\d+$/.test(segment)) ?? "input";
  return appError("BAD_USER_INPUT", `${field}: ${issue?.message ?? "is invalid"}`, { field, path: path.join(".") });
}
