// setItemDependencies: replaces the items an item depends on; the rules (live items of the
// organization, no cycles, one transaction) live in src/braid/item-dependencies.ts.
import { z } from "zod";
import { setItemDependencies } from "../../braid/item-dependencies.ts";
import { orgScope } from "../access.ts";
import { builder } from "../builder.ts";
import { idRule, versionRule } from "../input-rules.ts";

const SetItemDependenciesInput = builder.inputType("SetItemDependenciesInput", {
  fields: (t) => ({
    id: t.id({ required: true, validate: idRule }),
    version: t.int({ required: true, validate: versionRule }),
    dependsOnIds: t.idList({
      required: true,
      description: "The complete new list (an empty list removes every dependency); at most 100.",
      validate: z.array(idRule).max(100, "at most 100 dependencies"),
    }),
  }),
});

builder.mutationField("setItemDependencies", (t) =>
  t.withAuth({ role: "MEMBER" }).prismaField({
    type: "Item",
    args: { input: t.arg({ type: SetItemDependenciesInput, required: true }) },
    resolve: (query, _root, { input }, ctx) => setItemDependencies(orgScope(ctx), query, input),
  }),
);
