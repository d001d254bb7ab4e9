// Password reset. requestPasswordReset(email) answers the same, and as fast, whether or not
// the address has an account: the request only counts against the address's limit and
// hands the work (look-up, token, mail) to a background task. resetPassword(token, password)
// uses a single-use token (PASSWORD_RESET_TTL_MINUTES, default 30) and sets the password in
// one transaction with the onPasswordReset hooks (which end the user's sessions).
//
// A reset link proves the mailbox as well as a verification link does, so a reset also
// verifies the address: accounts made by `orgs import` (no password) get in this way.
import type { CentralDb } from "../data/central-client.ts";
import type { LimitStore } from "../data/limit-store.ts";
import { badUserInput } from "../errors.ts";
import { consumeOrRefuse, hashedKey } from "../limits/consume.ts";
import { issueAccountToken, useAccountToken, type CentralTx } from "./account-tokens.ts";
import type { BackgroundTasks } from "./background-tasks.ts";
import { accountLink, passwordResetMail, type AccountLinks } from "./mail/account-mails.ts";
import type { Mailer } from "./mail/mailer.ts";
import { hashPassword } from "./passwords.ts";
import { normalizeEmail } from "./users.ts";

/**
 * Runs inside the reset's transaction, after the new password is stored: the place to end
 * every session of the user (the integrator wires the sessions module's revocation here).
 */
export type PasswordResetHook = (event: { userId: string; tx: CentralTx }) => Promise<void>;

export interface PasswordResetDeps {
  central: CentralDb;
  mailer: Mailer;
  links: AccountLinks;
  ttlMinutes: number;
  limitStore: LimitStore;
  background: BackgroundTasks;
  onPasswordReset: readonly PasswordResetHook[];
}

/** Reset mails one address may cause per hour (counted whether or not it has an account). */
const REQUESTS_PER_ADDRESS_PER_HOUR = 5;

export function createPasswordReset({
  central,
  mailer,
  links,
  ttlMinutes,
  limitStore,
  background,
  onPasswordReset,
}: PasswordResetDeps) {
  const requests = limitStore.limiter("password-reset-email", REQUESTS_PER_ADDRESS_PER_HOUR, 3600);

  async function mailResetLink(address: string): Promise<void> {
    const user = await central.user.findUnique({ where: { email: address }, select: { id: true } });
    if (!user) return; // nothing to say to an address without an account
    const token = await issueAccountToken(central, user.id, "RESET_PASSWORD", ttlMinutes);
    await mailer.send(passwordResetMail(address, accountLink(links, "reset-password", token), ttlMinutes));
  }

  return {
    async request(email: string): Promise<void> {
      const address = normalizeEmail(email);
      await consumeOrRefuse(requests, hashedKey(address), 1, "too many password reset requests for this email");
      background.run("password reset mail", () => mailResetLink(address));
    },

    async reset(token: string, newPassword: string): Promise<void> {
      // Hashing first keeps the transaction short, and costs the same for a bad token.
      const passwordHash = await hashPassword(newPassword);
      await central.$transaction(async (tx) => {
        const userId = await useAccountToken(tx, token, "RESET_PASSWORD");
        if (!userId) throw badUserInput("token", "is invalid, used or expired; ask for a new mail");
        const now = new Date();
        const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { emailVerifiedAt: true } });
        await tx.user.update({
          where: { id: userId },
          data: { passwordHash, ...(user.emailVerifiedAt ? {} : { emailVerifiedAt: now }) },
          select: { id: true },
        });
        // Any other reset link still in a mailbox stops working.
        await tx.accountToken.updateMany({
          where: { userId, purpose: "RESET_PASSWORD", usedAt: null },
          data: { usedAt: now },
        });
        for (const hook of onPasswordReset) await hook({ userId, tx });
      });
    },
  };
}

export type PasswordReset = ReturnType<typeof createPasswordReset>;
