// Memberships of one organization: listing (keyset pages), adding, changing roles and
// removing. Every change announces membership-changed in its transaction (notifyCentral), and
// this process forgets the cached membership as soon as it commits (announce): a removal takes
// effect on the removed user's very next request here, and within milliseconds elsewhere.
//
// Owner rules: only an owner grants or takes away OWNER, and an organization always keeps at
// least one owner. Changes lock the organization's row first, so two concurrent demotions
// cannot both see "another owner is left"; the caller's own role is re-read under that lock.
import type { CentralDb, Role } from "../data/central-client.ts";
import { notifyCentral, type AnnounceLocally } from "../data/central-notifications.ts";
import type { AuditEntry } from "../braid/audit-log.ts";
import { appError, badUserInput, isUniqueViolation } from "../errors.ts";
import { containsText } from "../text-search.ts";
import { hasRole } from "./roles.ts";
import { normalizeEmail, PUBLIC_USER_FIELDS, type PublicUser } from "./users.ts";

export interface Member {
  user: PublicUser;
  role: Role;
  joinedAt: Date;
}

/** Members are ordered by when they joined, then by user id: a total order that inserts only extend. */
export interface MemberPosition {
  joinedAt: Date;
  userId: string;
}

export interface MemberPageRequest {
  first: number;
  after?: MemberPosition | null;
  role?: Role | null;
  /** Part of the email or name, any case. */
  search?: string | null;
}

type Tx = Parameters<Parameters<CentralDb["$transaction"]>[0]>[0];

/**
 * Appends a change's record to the organization's audit log. Called inside the central
 * transaction, after the change: a record that cannot be written rolls the change back.
 */
export type RecordChange = (entry: AuditEntry) => Promise<void>;

const noRecord: RecordChange = async () => {};

const MEMBER_SELECT = { role: true, createdAt: true, user: { select: PUBLIC_USER_FIELDS } } as const;

function toMember(row: { role: Role; createdAt: Date; user: PublicUser }): Member {
  return { user: row.user, role: row.role, joinedAt: row.createdAt };
}

/** Refuses (EMAIL_NOT_VERIFIED) to add an account that has not verified its address, when that is required. */
export type AssertVerified = (tx: Tx, userId: string, who: "their") => Promise<void>;

export function createMembers(
  central: CentralDb,
  assertVerified: AssertVerified = async () => undefined,
  announce?: AnnounceLocally,
) {
  /** Runs `change` with the organization locked and the caller's current role. */
  function withOrgLocked<T>(
    orgId: string,
    actorId: string,
    change: (tx: Tx, actorRole: Role) => Promise<T>,
  ): Promise<T> {
    return central.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM organizations WHERE id = ${orgId}::uuid FOR NO KEY UPDATE`;
      const actor = await tx.membership.findUnique({
        where: { userId_orgId: { userId: actorId, orgId } },
        select: { role: true },
      });
      if (!actor) throw appError("FORBIDDEN", "you are not a member of this organization");
      return change(tx, actor.role);
    });
  }

  /** withOrgLocked for a change of `userId`'s membership, announced with the commit. */
  async function changeMembership(
    orgId: string,
    actorId: string,
    change: (tx: Tx, actorRole: Role) => Promise<{ userId: string; member: Member }>,
  ): Promise<Member> {
    const { userId, member } = await withOrgLocked(orgId, actorId, async (tx, actorRole) => {
      const changed = await change(tx, actorRole);
      await notifyCentral(tx, { type: "membership-changed", orgId, userId: changed.userId });
      return changed;
    });
    announce?.({ type: "membership-changed", orgId, userId });
    return member;
  }

  async function ownersLeftWithout(tx: Tx, orgId: string, userId: string): Promise<number> {
    return tx.membership.count({ where: { orgId, role: "OWNER", userId: { not: userId } } });
  }

  async function target(tx: Tx, orgId: string, userId: string) {
    const found = await tx.membership.findUnique({ where: { userId_orgId: { userId, orgId } }, select: MEMBER_SELECT });
    if (!found) throw appError("NOT_FOUND", "no such member", { field: "userId" });
    return found;
  }

  function requireOwnerFor(actorRole: Role, what: string): void {
    if (!hasRole(actorRole, "OWNER")) throw appError("FORBIDDEN", `only an owner may ${what}`);
  }

  return {
    async list(
      orgId: string,
      { first, after, role, search }: MemberPageRequest,
    ): Promise<{ members: Member[]; hasNextPage: boolean }> {
      const text = search?.trim();
      const rows = await central.membership.findMany({
        where: {
          orgId,
          ...(role ? { role } : {}),
          ...(text ? { user: { OR: [{ email: containsText(text) }, { name: containsText(text) }] } } : {}),
          ...(after
            ? {
                OR: [
                  { createdAt: { gt: after.joinedAt } },
                  { createdAt: after.joinedAt, userId: { gt: after.userId } },
                ],
              }
            : {}),
        },
        orderBy: [{ createdAt: "asc" }, { userId: "asc" }],
        take: first + 1,
        select: MEMBER_SELECT,
      });
      return { members: rows.slice(0, first).map(toMember), hasNextPage: rows.length > first };
    },

    /** The subset of `userIds` that are members of the organization (one query). */
    async membersAmong(orgId: string, userIds: readonly string[]): Promise<Set<string>> {
      const rows = await central.membership.findMany({
        where: { orgId, userId: { in: [...userIds] } },
        select: { userId: true },
      });
      return new Set(rows.map((r) => r.userId));
    },

    add(orgId: string, actorId: string, email: string, role: Role, record = noRecord): Promise<Member> {
      return changeMembership(orgId, actorId, async (tx, actorRole) => {
        if (role === "OWNER") requireOwnerFor(actorRole, "add an owner");
        const user = await tx.user.findUnique({ where: { email: normalizeEmail(email) }, select: { id: true } });
        if (!user)
          throw appError("NOT_FOUND", "no account has this email; ask them to sign up first", { field: "email" });
        await assertVerified(tx, user.id, "their");
        let created;
        try {
          created = await tx.membership.create({ data: { orgId, userId: user.id, role }, select: MEMBER_SELECT });
        } catch (error) {
          if (isUniqueViolation(error)) throw badUserInput("email", "is already a member");
          throw error;
        }
        await record({
          action: "member.added",
          targetType: "user",
          targetId: user.id,
          changes: [{ field: "role", old: null, new: role }],
        });
        return { userId: user.id, member: toMember(created) };
      });
    },

    changeRole(orgId: string, actorId: string, userId: string, role: Role, record = noRecord): Promise<Member> {
      return changeMembership(orgId, actorId, async (tx, actorRole) => {
        const current = await target(tx, orgId, userId);
        if (current.role === "OWNER" || role === "OWNER")
          requireOwnerFor(actorRole, "grant or take away the owner role");
        if (current.role === "OWNER" && role !== "OWNER" && (await ownersLeftWithout(tx, orgId, userId)) === 0) {
          throw badUserInput("role", "the organization needs at least one owner");
        }
        const updated = await tx.membership.update({
          where: { userId_orgId: { userId, orgId } },
          data: { role },
          select: MEMBER_SELECT,
        });
        if (current.role !== role)
          await record({
            action: "member.role_changed",
            targetType: "user",
            targetId: userId,
            changes: [{ field: "role", old: current.role, new: role }],
          });
        return { userId, member: toMember(updated) };
      });
    },

    /** Returns the membership as it was. */
    remove(orgId: string, actorId: string, userId: string, record = noRecord): Promise<Member> {
      return changeMembership(orgId, actorId, async (tx, actorRole) => {
        const current = await target(tx, orgId, userId);
        if (current.role === "OWNER") {
          requireOwnerFor(actorRole, "remove an owner");
          if ((await ownersLeftWithout(tx, orgId, userId)) === 0)
            throw badUserInput("userId", "the organization needs at least one owner");
        }
        await tx.membership.delete({ where: { userId_orgId: { userId, orgId } } });
        await record({
          action: "member.removed",
          targetType: "user",
          targetId: userId,
          changes: [{ field: "role", old: current.role, new: null }],
        });
        return { userId, member: toMember(current) };
      });
    },
  };
}

export type Members = ReturnType<typeof createMembers>;
