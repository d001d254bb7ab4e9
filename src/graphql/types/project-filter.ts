// How project lists are narrowed and ordered. Every list is also filtered by the request's
// organization (defense in depth: in the SHARED tier several organizations share tables).
import type { Prisma } from "../../data/generated/tenant/client.ts";
import { containsText } from "../../text-search.ts";
import { builder } from "../builder.ts";
import { searchRule } from "../input-rules.ts";
import { ProjectStatusEnum } from "./braid-enums.ts";

export const ProjectFilter = builder.inputType("ProjectFilter", {
  fields: (t) => ({
    status: t.field({ type: [ProjectStatusEnum], required: false, description: "Any of these statuses." }),
    search: t.string({ required: false, description: "Part of the name, any case.", validate: searchRule }),
  }),
});

export interface ProjectFilterValues {
  status?: readonly ("ACTIVE" | "ARCHIVED")[] | null;
  search?: string | null;
}

/** By name, then id: a total order, so cursors stay valid while projects are added. */
export const PROJECT_ORDER = [{ name: "asc" }, { id: "asc" }] satisfies Prisma.ProjectOrderByWithRelationInput[];

export function projectWhere(orgId: string, filter: ProjectFilterValues | null | undefined, includeDeleted: boolean): Prisma.ProjectWhereInput {
  const search = filter?.search?.trim();
  return {
    orgId,
    ...(includeDeleted ? {} : { deletedAt: null }),
    ...(filter?.status?.length ? { status: { in: [...filter.status] } } : {}),
    ...(search ? { name: containsText(search) } : {}),
  };
}
