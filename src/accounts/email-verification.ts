// Email verification: a new account gets a mail with a single-use link; verifyEmail(token)
// marks the address proven. Until then the account may log in but not create organizations
// or be added to one (REQUIRE_VERIFIED_EMAIL, default on; see assertVerified).
import type { CentralDb } from "../data/central-client.ts";
import { appError, badUserInput } from "../errors.ts";
import { issueAccountToken, useAccountToken, type CentralTx } from "./account-tokens.ts";
import { accountLink, verificationMail, type AccountLinks } from "./mail/account-mails.ts";
import type { Mailer } from "./mail/mailer.ts";
import type { LimitStore } from "../data/limit-store.ts";
import { consumeOrRefuse } from "../limits/consume.ts";

export interface EmailVerificationDeps {
  central: CentralDb;
  mailer: Mailer;
  links: AccountLinks;
  ttlMinutes: number;
  required: boolean;
  limitStore: LimitStore;
}

/** Verification mails one account may ask for per hour (resendVerification). */
const RESENDS_PER_HOUR = 5;

export function createEmailVerification({
  central,
  mailer,
  links,
  ttlMinutes,
  required,
  limitStore,
}: EmailVerificationDeps) {
  const resends = limitStore.limiter("verification-mail", RESENDS_PER_HOUR, 3600);

  async function send(userId: string, email: string): Promise<void> {
    const token = await issueAccountToken(central, userId, "VERIFY_EMAIL", ttlMinutes);
    await mailer.send(verificationMail(email, accountLink(links, "verify-email", token), ttlMinutes));
  }

  return {
    required,
    send,

    /** Another verification mail for the signed-in user; nothing is sent once the address is verified. */
    async resend(userId: string): Promise<void> {
      const user = await central.user.findUnique({
        where: { id: userId },
        select: { email: true, emailVerifiedAt: true },
      });
      if (!user || user.emailVerifiedAt) return;
      await consumeOrRefuse(resends, userId, 1, "too many verification mails");
      await send(userId, user.email);
    },

    /** Marks the token's address verified; BAD_USER_INPUT when the token is unknown, used or expired. */
    async verify(token: string): Promise<void> {
      await central.$transaction(async (tx) => {
        const userId = await useAccountToken(tx, token, "VERIFY_EMAIL");
        if (!userId)
          throw badUserInput("token", "is invalid, used or expired; ask for a new mail (resendVerification)");
        await tx.user.update({ where: { id: userId }, data: { emailVerifiedAt: new Date() }, select: { id: true } });
      });
    },

    /**
     * Refuses (EMAIL_NOT_VERIFIED) when verification is required and the user has not
     * verified: `who` says whose address it is in the message.
     */
    async assertVerified(db: CentralDb | CentralTx, userId: string, who: "your" | "their"): Promise<void> {
      if (!required) return;
      const user = await db.user.findUnique({ where: { id: userId }, select: { emailVerifiedAt: true } });
      if (user && !user.emailVerifiedAt) {
        throw appError(
          "EMAIL_NOT_VERIFIED",
          who === "your"
            ? "verify your email address first (the link in the mail; resendVerification sends another)"
            : "this account has not verified its email address yet",
        );
      }
    },
  };
}

export type EmailVerification = ReturnType<typeof createEmailVerification>;
