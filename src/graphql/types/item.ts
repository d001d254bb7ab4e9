import { appError, badUserInput } from "../../errors.ts";
import { isId, requireOrg } from "../access.ts";
import { builder } from "../builder.ts";
import { UserRef } from "./user.ts";

builder.prismaObject("Item", {
  fields: (t) => ({
    id: t.exposeID("id"),
    title: t.exposeString("title"),
    description: t.exposeString("description"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    createdBy: t.field({
      type: UserRef,
      nullable: true,
      resolve: (item, _args, ctx) => ctx.loaders.userById.load(item.createdById),
    }),
    project: t.relation("project"),
  }),
});

builder.queryField("item", (t) =>
  t.prismaField({
    type: "Item",
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, ctx) => {
      const org = requireOrg(ctx);
      if (!isId(id)) return null;
      return ctx.db.item.findFirst({ ...query, where: { id, orgId: org.id, deletedAt: null } });
    },
  }),
);

const CreateItemInput = builder.inputType("CreateItemInput", {
  fields: (t) => ({
    projectId: t.id({ required: true }),
    title: t.string({ required: true, description: "1-300 characters." }),
    description: t.string({ required: false }),
  }),
});

builder.mutationField("createItem", (t) =>
  t.prismaField({
    type: "Item",
    args: { input: t.arg({ type: CreateItemInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const org = requireOrg(ctx);
      const title = input.title.trim();
      if (title.length < 1 || title.length > 300) throw badUserInput("title", "must be 1-300 characters");
      const description = input.description ?? "";
      if (description.length > 10_000) throw badUserInput("description", "must be at most 10000 characters");
      const project = isId(input.projectId)
        ? await ctx.db.project.findFirst({
            where: { id: input.projectId, orgId: org.id, deletedAt: null },
            select: { id: true },
          })
        : null;
      if (!project) throw appError("NOT_FOUND", "project not found", { field: "projectId" });
      return ctx.db.item.create({
        ...query,
        data: { orgId: org.id, projectId: project.id, title, description, createdById: ctx.user!.id },
      });
    },
  }),
);
