// Project: a BRAID log's container. Reads: the projectsConnection (filters, cursors) and
// project(id); projects and Project.items are the unpaginated lists of the first version.
import { readScopes, requireOrg } from "../access.ts";
import { isUuid } from "../../ids.ts";
import { builder } from "../builder.ts";
import { ProjectStatusEnum } from "./braid-enums.ts";
import { ITEM_ORDER, ItemFilter, itemWhere } from "./item-filter.ts";
import { PROJECT_ORDER, ProjectFilter, projectWhere } from "./project-filter.ts";
import { UserRef } from "./user.ts";

export const ProjectRef = builder.prismaObject("Project", {
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    description: t.exposeString("description"),
    status: t.expose("status", { type: ProjectStatusEnum }),
    version: t.exposeInt("version", { description: "Send it back with every change (optimistic concurrency)." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    deletedAt: t.expose("deletedAt", { type: "DateTime", nullable: true, description: "Set while the project is deleted." }),
    createdBy: t.field({
      type: UserRef,
      nullable: true,
      description: "Null when the user no longer exists.",
      resolve: (project, _args, ctx) => ctx.loaders.userById.load(project.createdById),
    }),
    itemsConnection: t.relatedConnection(
      "items",
      {
        description: "This project's items, oldest first; `first` is capped at 100.",
        cursor: "id",
        args: {
          filter: t.arg({ type: ItemFilter, required: false }),
          includeDeleted: t.arg.boolean({ required: false, defaultValue: false, description: "Admins only." }),
        },
        authScopes: readScopes,
        query: (args, ctx) => ({
          where: itemWhere(requireOrg(ctx).id, args.filter, args.includeDeleted ?? false, true),
          orderBy: ITEM_ORDER,
        }),
      },
      { name: "ProjectItemConnection" },
      { name: "ProjectItemEdge" },
    ),
  }),
});

builder.queryFields((t) => ({
  projectsConnection: t.prismaConnection(
    {
      type: "Project",
      description: "The organization's projects by name; `first` is capped at 100.",
      cursor: "id",
      args: {
        filter: t.arg({ type: ProjectFilter, required: false }),
        includeDeleted: t.arg.boolean({ required: false, defaultValue: false, description: "Admins only." }),
      },
      authScopes: readScopes,
      resolve: (query, _root, args, ctx) =>
        ctx.db.project.findMany({
          ...query,
          where: projectWhere(requireOrg(ctx).id, args.filter, args.includeDeleted ?? false),
          orderBy: PROJECT_ORDER,
          // Each project's items page is limited inside the database (a lateral join), not by
          // loading every item of the page's projects; "join" is the default with relationJoins.
          relationLoadStrategy: "join",
        }),
      totalCount: (_connection, args, ctx) =>
        ctx.db.project.count({ where: projectWhere(requireOrg(ctx).id, args.filter, args.includeDeleted ?? false) }),
    },
    { name: "ProjectConnection" },
    { name: "ProjectEdge" },
  ),
  project: t.prismaField({
    type: "Project",
    nullable: true,
    description: "A project that is not deleted; null for an id that is not one of the organization's projects.",
    args: { id: t.arg.id({ required: true }) },
    authScopes: { role: "VIEWER" },
    resolve: (query, _root, { id }, ctx) => {
      const org = requireOrg(ctx);
      if (!isUuid(id)) return null;
      return ctx.db.project.findFirst({ ...query, where: { id, orgId: org.id, deletedAt: null } });
    },
  }),
}));
