import { badUserInput } from "../../errors.ts";
import { isId, requireOrg } from "../access.ts";
import { builder } from "../builder.ts";
import { UserRef } from "./user.ts";

builder.prismaObject("Project", {
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    description: t.exposeString("description"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    createdBy: t.field({
      type: UserRef,
      nullable: true,
      description: "Null when the user no longer exists.",
      resolve: (project, _args, ctx) => ctx.loaders.userById.load(project.createdById),
    }),
    items: t.relation("items", {
      description: "Items of this project that are not deleted, oldest first.",
      query: { where: { deletedAt: null }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
    }),
  }),
});

builder.queryFields((t) => ({
  projects: t.prismaField({
    type: ["Project"],
    description: "The organization's projects that are not deleted, ordered by name.",
    resolve: (query, _root, _args, ctx) =>
      ctx.db.project.findMany({
        ...query,
        where: { orgId: requireOrg(ctx).id, deletedAt: null },
        orderBy: [{ name: "asc" }, { id: "asc" }],
      }),
  }),
  project: t.prismaField({
    type: "Project",
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, ctx) => {
      const org = requireOrg(ctx);
      if (!isId(id)) return null;
      return ctx.db.project.findFirst({ ...query, where: { id, orgId: org.id, deletedAt: null } });
    },
  }),
}));

const CreateProjectInput = builder.inputType("CreateProjectInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "1-200 characters." }),
    description: t.string({ required: false }),
  }),
});

builder.mutationField("createProject", (t) =>
  t.prismaField({
    type: "Project",
    args: { input: t.arg({ type: CreateProjectInput, required: true }) },
    resolve: (query, _root, { input }, ctx) => {
      const org = requireOrg(ctx);
      const name = input.name.trim();
      if (name.length < 1 || name.length > 200) throw badUserInput("name", "must be 1-200 characters");
      const description = input.description ?? "";
      if (description.length > 10_000) throw badUserInput("description", "must be at most 10000 characters");
      return ctx.db.project.create({
        ...query,
        data: { orgId: org.id, name, description, createdById: ctx.user!.id },
      });
    },
  }),
);
