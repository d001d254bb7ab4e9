// Users as the rest of the API sees them: id, email and name, never the password hash.
import type { CentralDb, User } from "../data/central-client.ts";

export type PublicUser = Pick<User, "id" | "email" | "name">;

export const PUBLIC_USER_FIELDS = { id: true, email: true, name: true } as const;

/** Emails are compared as typed, trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function createUserDirectory(central: CentralDb) {
  return {
    /** One query for any number of ids (the per-request loader batches into this). */
    usersByIds(ids: readonly string[]): Promise<PublicUser[]> {
      return central.user.findMany({ where: { id: { in: [...ids] } }, select: PUBLIC_USER_FIELDS });
    },

    async canCreateOrganizations(userId: string): Promise<boolean> {
      const user = await central.user.findUnique({ where: { id: userId }, select: { canCreateOrgs: true } });
      return user?.canCreateOrgs ?? false;
    },
  };
}

export type UserDirectory = ReturnType<typeof createUserDirectory>;
