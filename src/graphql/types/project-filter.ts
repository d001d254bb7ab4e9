// How project lists are narrowed. The service layer adds the organization to every list
// (src/braid/projects.ts); this only turns the client's filter into conditions.
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

export function projectWhere(
  filter: typeof ProjectFilter.$inferInput | null | undefined,
  includeDeleted: boolean,
): Prisma.ProjectWhereInput {
  const search = filter?.search?.trim();
  return {
    ...(includeDeleted ? {} : { deletedAt: null }),
    ...(filter?.status?.length ? { status: { in: [...filter.status] } } : {}),
    ...(search ? { name: containsText(search) } : {}),
  };
}
