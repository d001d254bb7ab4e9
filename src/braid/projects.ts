// Projects of one organization: pages and single reads (always narrowed to the scope's
// organization, whatever filter the caller built), and the writes admins make. Names are
// unique among the organization's live projects: a partial unique index (WHERE deleted_at IS
// NULL) decides, so of two concurrent creates or renames to one name one wins and the other
// gets BAD_USER_INPUT on `name`. Deleting frees the name; restoring needs it to be free again.
import type { Prisma } from "../data/generated/tenant/client.ts";
import type { ProjectStatus } from "../data/generated/tenant/enums.ts";
import { badUserInput, isUniqueViolation } from "../errors.ts";
import { isUuid } from "../ids.ts";
import { auditedChange, auditedWrite } from "./audited-write.ts";
import { changedFields } from "./audit-log.ts";
import type { OrgScope, Selection } from "./org-scope.ts";

export type ProjectSelection = Selection<Prisma.ProjectSelect, Prisma.ProjectInclude>;

/** By name, then id: a total order, so cursors stay valid while projects are added. */
export const PROJECT_ORDER = [{ name: "asc" }, { id: "asc" }] satisfies Prisma.ProjectOrderByWithRelationInput[];

export interface ProjectChanges {
  name?: string | null;
  description?: string | null;
  status?: ProjectStatus | null;
}

export interface VersionedId {
  id: string;
  version: number;
}

export function pageProjects(scope: OrgScope, query: ProjectSelection, where: Prisma.ProjectWhereInput) {
  return scope.db.project.findMany({
    ...query,
    where: { ...where, orgId: scope.orgId },
    orderBy: PROJECT_ORDER,
    // Each project's items page is limited inside the database (a lateral join), not by
    // loading every item of the page's projects.
    relationLoadStrategy: "join",
  });
}

export function countProjects(scope: OrgScope, where: Prisma.ProjectWhereInput) {
  return scope.db.project.count({ where: { ...where, orgId: scope.orgId } });
}

/** A live project, or null for an id that is not one of the organization's projects. */
export async function findProject(scope: OrgScope, query: ProjectSelection, id: string) {
  // The selection is read first: the GraphQL layer checks that every resolver used its own.
  const args = { ...query, where: { id, orgId: scope.orgId, deletedAt: null } };
  if (!isUuid(id)) return null;
  return scope.db.project.findFirst(args);
}

export function createProject(scope: OrgScope, query: ProjectSelection, input: { name: string } & ProjectChanges) {
  const data = {
    orgId: scope.orgId,
    name: input.name,
    description: input.description ?? "",
    status: input.status ?? "ACTIVE",
    createdById: scope.actorId,
  } as const;
  return uniqueName(() =>
    auditedWrite(scope, async (tx) => {
      const project = await tx.project.create({ ...query, data });
      const { name, description, status } = data;
      return {
        result: project,
        audit: {
          action: "project.created",
          targetType: "project",
          targetId: project.id,
          changes: changedFields(null, { name, description, status }),
          versionAfter: 1,
        },
      };
    }),
  );
}

export function updateProject(scope: OrgScope, query: ProjectSelection, input: VersionedId & ProjectChanges) {
  const { name, description, status } = input;
  return changeProject(scope, query, "project.updated", input, {
    name: name ?? undefined,
    description: description ?? undefined,
    status: status ?? undefined,
  });
}

/** Soft delete: hidden from reads (admins see it with includeDeleted) until restored; frees the name. */
export function deleteProject(scope: OrgScope, query: ProjectSelection, input: VersionedId) {
  return changeProject(scope, query, "project.deleted", input, { deletedAt: new Date() });
}

export function restoreProject(scope: OrgScope, query: ProjectSelection, input: VersionedId) {
  return changeProject(scope, query, "project.restored", input, { deletedAt: null }, true);
}

/** The versioned write and its audit record, then the project as it is now (with the caller's selection). */
async function changeProject(
  scope: OrgScope,
  query: ProjectSelection,
  action: string,
  { id, version }: VersionedId,
  data: Prisma.ProjectUpdateManyMutationInput,
  restore = false,
) {
  await uniqueName(() => auditedChange(scope, action, { what: "project", id, version, data, restore }));
  return scope.db.project.findFirstOrThrow({ ...query, where: { id, orgId: scope.orgId } });
}

async function uniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw badUserInput("name", "another live project already has this name");
    throw error;
  }
}
