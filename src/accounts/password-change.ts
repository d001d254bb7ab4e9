// Changing one's password: the current password is checked (throttled like log-in, so a
// stolen access token cannot be used to guess it), and every other session ends in the same
// transaction, so whoever else held a session is logged out everywhere when it commits.
import type { CentralDb } from "../data/central-client.ts";
import { appError } from "../errors.ts";
import type { LoginThrottle } from "./login-throttle.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import type { RevokedSessions } from "./revoked-sessions.ts";
import { revokeSessionsOfUser } from "./session-store.ts";
import type { Caller } from "./sessions.ts";

export function createPasswordChange(central: CentralDb, throttle: LoginThrottle, revoked: RevokedSessions) {
  return {
    /** Returns how many other sessions ended. */
    async changePassword(caller: Caller, currentPassword: string, newPassword: string): Promise<number> {
      const user = await central.user.findUnique({
        where: { id: caller.id },
        select: { email: true, passwordHash: true },
      });
      if (!user) throw appError("UNAUTHENTICATED", "sign in again");
      await throttle.take(user.email);
      if (!(await verifyPassword(user.passwordHash, currentPassword)))
        throw appError("BAD_USER_INPUT", "the current password is incorrect", { field: "currentPassword" });
      await throttle.reset(user.email);
      const passwordHash = await hashPassword(newPassword);
      const ended = await central.$transaction(async (tx) => {
        await tx.user.update({ where: { id: caller.id }, data: { passwordHash }, select: { id: true } });
        return revokeSessionsOfUser(tx, caller.id, { exceptSessionId: caller.sessionId, reason: "password-changed" });
      });
      for (const id of ended) revoked.add(id);
      return ended.length;
    },
  };
}

export type PasswordChange = ReturnType<typeof createPasswordChange>;
