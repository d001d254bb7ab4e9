// The zod rules input fields share, attached declaratively with `validate:` (Pothos
// validation plugin); a failure is BAD_USER_INPUT naming the field (validation-error.ts).
import { z } from "zod";

/** Ids are UUIDs; anything else cannot name a row. */
export const idRule = z.guid("must be a UUID (an id this API returned)");

export const versionRule = z.number().int().min(1, "must be the version you read (1 or more)");

/** Required text of 1..max characters after trimming. */
export const textRule = (max: number) =>
  z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);

export const descriptionRule = z.string().max(10_000, "must be at most 10000 characters").nullish();

export const searchRule = z.string().trim().max(200, "must be at most 200 characters").nullish();

export const emailRule = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email("must be an email address"))
  .pipe(z.string().max(320));

export const passwordRule = z
  .string()
  .min(8, "must be at least 8 characters")
  .max(256, "must be at most 256 characters");
