// Reading GraphQL responses in tests: the data of a response that must have succeeded, or
// the first error of one that must have failed.
import { expect } from "vitest";
import type { GraphQLResponse } from "./app.ts";

export function dataOf<T = any>(response: GraphQLResponse<T>): T {
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data as T;
}

export interface FirstError {
  code: string | undefined;
  field: unknown;
  message: string;
  extensions: Record<string, unknown>;
}

export function errorOf(response: GraphQLResponse): FirstError {
  const error = response.errors?.[0];
  expect(error, `expected an error, got ${JSON.stringify(response.data)}`).toBeDefined();
  const extensions = error!.extensions ?? {};
  return { code: extensions.code, field: extensions.field, message: error!.message, extensions };
}
