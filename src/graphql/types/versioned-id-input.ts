// The argument of every delete and restore: which row, and the version the client last read.
import { builder } from "../builder.ts";
import { idRule, versionRule } from "../input-rules.ts";

export const VersionedIdInput = builder.inputType("VersionedIdInput", {
  description: "A project or item and the version you last read of it; a stale version fails with CONFLICT.",
  fields: (t) => ({
    id: t.id({ required: true, validate: idRule }),
    version: t.int({ required: true, validate: versionRule }),
  }),
});
