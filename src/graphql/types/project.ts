// Project: a BRAID log's container. Reads: the projectsConnection (filters, cursors) and
// project(id).
import { countProjects, findProject, pageProjects } from "../../braid/projects.ts";
import { ITEM_ORDER } from "../../braid/items.ts";
import { orgScope, readScopes } from "../access.ts";
import { builder } from "../builder.ts";
import { ProjectStatusEnum } from "./braid-enums.ts";
import { ItemFilter, itemWhere } from "./item-filter.ts";
import { ProjectFilter, projectWhere } from "./project-filter.ts";
import { UserRef } from "./user.ts";

// Select mode: the SQL reads only the columns the operation asks for (each exposed field
// selects its own column; id is always there for cursors and relations).
export const ProjectRef = builder.prismaObject("Project", {
  select: { id: true },
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    description: t.exposeString("description"),
    status: t.expose("status", { type: ProjectStatusEnum }),
    version: t.exposeInt("version", { description: "Send it back with every change (optimistic concurrency)." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    deletedAt: t.expose("deletedAt", {
      type: "DateTime",
      nullable: true,
      description: "Set while the project is deleted.",
    }),
    createdBy: t.field({
      type: UserRef,
      nullable: true,
      description: "Null when the user no longer exists.",
      select: { createdById: true },
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
        // Within the project, which belongs to the request's organization.
        query: (args) => ({ where: itemWhere(args.filter, args.includeDeleted ?? false, true), orderBy: ITEM_ORDER }),
      },
      { name: "ProjectItemConnection" },
      { name: "ProjectItemEdge" },
    ),
  }),
});

builder.queryFields((t) => ({
  projectsConnection: t.withAuth(readScopes).prismaConnection(
    {
      type: "Project",
      description: "The organization's projects by name; `first` is capped at 100.",
      cursor: "id",
      args: {
        filter: t.arg({ type: ProjectFilter, required: false }),
        includeDeleted: t.arg.boolean({ required: false, defaultValue: false, description: "Admins only." }),
      },
      resolve: (query, _root, args, ctx) =>
        pageProjects(orgScope(ctx), query, projectWhere(args.filter, args.includeDeleted ?? false)),
      totalCount: (_connection, args, ctx) =>
        countProjects(orgScope(ctx), projectWhere(args.filter, args.includeDeleted ?? false)),
    },
    { name: "ProjectConnection" },
    { name: "ProjectEdge" },
  ),
  project: t.withAuth({ role: "VIEWER" }).prismaField({
    type: "Project",
    nullable: true,
    description: "A project that is not deleted; null for an id that is not one of the organization's projects.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, ctx) => findProject(orgScope(ctx), query, id),
  }),
}));
