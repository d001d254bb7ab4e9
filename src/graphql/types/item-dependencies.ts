// setItemDependencies: replaces the items an item depends on. Dependencies are live items of
// the same organization (any project) and never form a cycle (item-dependency-graph.ts).
// The whole change is one transaction: version check, graph check and the new edges.
import { z } from "zod";
import { badUserInput } from "../../errors.ts";
import { requireOrg } from "../access.ts";
import { builder } from "../builder.ts";
import { idRule, versionRule } from "../input-rules.ts";
import { lockDependencyGraph, reaches } from "../item-dependency-graph.ts";
import { changeItem } from "../item-writes.ts";

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
  t.prismaField({
    type: "Item",
    authScopes: { role: "MEMBER" },
    args: { input: t.arg({ type: SetItemDependenciesInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const orgId = requireOrg(ctx).id;
      const dependsOnIds = [...new Set(input.dependsOnIds.map((id) => id.toLowerCase()))];
      await ctx.db.$transaction(async (tx) => {
        await lockDependencyGraph(tx, orgId);
        await changeItem(tx, orgId, input.id, input.version, {});
        if (dependsOnIds.length > 0) {
          const found = await tx.item.count({
            where: { id: { in: dependsOnIds }, orgId, deletedAt: null, project: { deletedAt: null } },
          });
          if (found !== dependsOnIds.length) throw badUserInput("dependsOnIds", "must all be live items of this organization");
          if (await reaches(tx, orgId, dependsOnIds, input.id)) throw badUserInput("dependsOnIds", "would create a dependency cycle");
        }
        await tx.itemDependency.deleteMany({ where: { orgId, itemId: input.id } });
        await tx.itemDependency.createMany({ data: dependsOnIds.map((dependsOnId) => ({ orgId, itemId: input.id, dependsOnId })) });
      });
      return ctx.db.item.findFirstOrThrow({ ...query, where: { id: input.id, orgId } });
    },
  }),
);
