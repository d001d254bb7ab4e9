// Project writes, for admins and owners. Names are unique among the organization's live
// projects: a partial unique index (WHERE deleted_at IS NULL) decides, so two concurrent
// creates or renames to one name end with one winner; the other gets BAD_USER_INPUT on
// `name`. Deleting frees the name; restoring needs it to be free again.
import type { Prisma } from "../../data/generated/tenant/client.ts";
import { badUserInput, isUniqueViolation } from "../../errors.ts";
import type { RequestContext } from "../context.ts";
import { requireOrg } from "../access.ts";
import { builder } from "../builder.ts";
import { descriptionRule, idRule, textRule, versionRule } from "../input-rules.ts";
import { writeVersioned } from "../versioned-write.ts";
import { ProjectStatusEnum } from "./braid-enums.ts";
import { VersionedIdInput } from "./versioned-id-input.ts";

const CreateProjectInput = builder.inputType("CreateProjectInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "1-200 characters, unique among live projects.", validate: textRule(200) }),
    description: t.string({ required: false, validate: descriptionRule }),
    status: t.field({ type: ProjectStatusEnum, required: false, defaultValue: "ACTIVE" }),
  }),
});

const UpdateProjectInput = builder.inputType("UpdateProjectInput", {
  description: "Fields left out keep their value.",
  fields: (t) => ({
    id: t.id({ required: true, validate: idRule }),
    version: t.int({ required: true, validate: versionRule }),
    name: t.string({ required: false, validate: textRule(200).nullish() }),
    description: t.string({ required: false, validate: descriptionRule }),
    status: t.field({ type: ProjectStatusEnum, required: false }),
  }),
});

async function uniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw badUserInput("name", "another live project already has this name");
    throw error;
  }
}

/** A versioned write to a live (or, to restore, a deleted) project of the organization. */
function changeProject(ctx: RequestContext, id: string, version: number, data: Prisma.ProjectUpdateManyMutationInput, deleted = false) {
  const orgId = requireOrg(ctx).id;
  return uniqueName(() =>
    writeVersioned({
      what: "project",
      expected: version,
      expectHidden: deleted,
      write: () =>
        ctx.db.project.updateMany({
          where: { id, orgId, version, deletedAt: deleted ? { not: null } : null },
          data: { ...data, version: { increment: 1 } },
        }),
      current: async () => {
        const row = await ctx.db.project.findFirst({ where: { id, orgId }, select: { version: true, deletedAt: true } });
        return row && { version: row.version, hidden: row.deletedAt !== null };
      },
    }),
  );
}

builder.mutationFields((t) => ({
  createProject: t.prismaField({
    type: "Project",
    authScopes: { role: "ADMIN" },
    args: { input: t.arg({ type: CreateProjectInput, required: true }) },
    resolve: (query, _root, { input }, ctx) =>
      uniqueName(() =>
        ctx.db.project.create({
          ...query,
          data: {
            orgId: requireOrg(ctx).id,
            name: input.name,
            description: input.description ?? "",
            status: input.status ?? "ACTIVE",
            createdById: ctx.user!.id,
          },
        }),
      ),
  }),
  updateProject: t.prismaField({
    type: "Project",
    authScopes: { role: "ADMIN" },
    args: { input: t.arg({ type: UpdateProjectInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const { id, version, name, description, status } = input;
      await changeProject(ctx, id, version, { name: name ?? undefined, description: description ?? undefined, status: status ?? undefined });
      return ctx.db.project.findFirstOrThrow({ ...query, where: { id, orgId: requireOrg(ctx).id } });
    },
  }),
  deleteProject: t.prismaField({
    type: "Project",
    description: "Soft delete: hidden from reads (admins see it with includeDeleted) until restored; frees the name.",
    authScopes: { role: "ADMIN" },
    args: { input: t.arg({ type: VersionedIdInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      await changeProject(ctx, input.id, input.version, { deletedAt: new Date() });
      return ctx.db.project.findFirstOrThrow({ ...query, where: { id: input.id, orgId: requireOrg(ctx).id } });
    },
  }),
  restoreProject: t.prismaField({
    type: "Project",
    authScopes: { role: "ADMIN" },
    args: { input: t.arg({ type: VersionedIdInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      await changeProject(ctx, input.id, input.version, { deletedAt: null }, true);
      return ctx.db.project.findFirstOrThrow({ ...query, where: { id: input.id, orgId: requireOrg(ctx).id } });
    },
  }),
}));
