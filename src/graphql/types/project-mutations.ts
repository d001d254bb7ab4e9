// Project writes, for admins and owners; the rules (versions, unique live names, soft
// delete) live in src/braid/projects.ts.
import { createProject, deleteProject, restoreProject, updateProject } from "../../braid/projects.ts";
import { orgScope } from "../access.ts";
import { builder } from "../builder.ts";
import { descriptionRule, idRule, textRule, versionRule } from "../input-rules.ts";
import { ProjectStatusEnum } from "./braid-enums.ts";
import { VersionedIdInput } from "./versioned-id-input.ts";

const CreateProjectInput = builder.inputType("CreateProjectInput", {
  fields: (t) => ({
    name: t.string({
      required: true,
      description: "1-200 characters, unique among live projects.",
      validate: textRule(200),
    }),
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

builder.mutationFields((t) => {
  const admin = t.withAuth({ role: "ADMIN" });
  return {
    createProject: admin.prismaField({
      type: "Project",
      args: { input: t.arg({ type: CreateProjectInput, required: true }) },
      resolve: (query, _root, { input }, ctx) => createProject(orgScope(ctx), query, input),
    }),
    updateProject: admin.prismaField({
      type: "Project",
      args: { input: t.arg({ type: UpdateProjectInput, required: true }) },
      resolve: (query, _root, { input }, ctx) => updateProject(orgScope(ctx), query, input),
    }),
    deleteProject: admin.prismaField({
      type: "Project",
      description: "Soft delete: hidden from reads (admins see it with includeDeleted) until restored; frees the name.",
      args: { input: t.arg({ type: VersionedIdInput, required: true }) },
      resolve: (query, _root, { input }, ctx) => deleteProject(orgScope(ctx), query, input),
    }),
    restoreProject: admin.prismaField({
      type: "Project",
      args: { input: t.arg({ type: VersionedIdInput, required: true }) },
      resolve: (query, _root, { input }, ctx) => restoreProject(orgScope(ctx), query, input),
    }),
  };
});
