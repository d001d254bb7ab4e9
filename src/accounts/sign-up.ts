// Sign-up that does not tell anyone whether an address has an account. The answer is the
// same for a new and a taken address (no token: the new account logs in with logIn), and
// so is the work on the request path: one argon2 hash, one INSERT .. ON CONFLICT DO NOTHING
// and one committed write. A new address gets a verification link (made in the background);
// the owner of a taken one gets "someone tried to sign up with your address".
//
// What is left: logIn with the password just chosen works only if the address was new. That
// costs an attacker a sign-up (limited per IP) and a log-in (limited per address), and each
// probe of a taken address mails its owner.
import type { CentralDb } from "../data/central-client.ts";
import type { BackgroundTasks } from "./background-tasks.ts";
import type { EmailVerification } from "./email-verification.ts";
import { signUpAttemptMail } from "./mail/account-mails.ts";
import type { Mailer } from "./mail/mailer.ts";
import { hashPassword } from "./passwords.ts";
import { normalizeEmail } from "./users.ts";

export interface SignUpRequest {
  email: string;
  password: string;
  name?: string | null;
}

/** The answer to every sign-up, whatever happened. */
export interface SignUpAnswer {
  email: string;
  message: string;
}

export const SIGN_UP_MESSAGE =
  "Check your mailbox: a mail is on its way to this address. A new account can log in now (logIn); " +
  "the link in the mail confirms the address, which creating or joining an organization needs.";

export interface SignUpDeps {
  central: CentralDb;
  mailer: Mailer;
  verification: EmailVerification;
  background: BackgroundTasks;
}

export function createSignUp({ central, mailer, verification, background }: SignUpDeps) {
  return async function signUp({ email, password, name }: SignUpRequest): Promise<SignUpAnswer> {
    const address = normalizeEmail(email);
    const passwordHash = await hashPassword(password);
    const created = await central.user.createManyAndReturn({
      data: [{ email: address, name: name?.trim() || address.split("@")[0]!, passwordHash }],
      skipDuplicates: true,
      select: { id: true },
    });
    const newUser = created[0];
    // Each path commits one write before answering (a new account's row; for a taken address
    // the outbox row of its mail), so neither answers faster for skipping a commit's flush.
    if (newUser) background.run("verification mail", () => verification.send(newUser.id, address));
    else await mailer.send(signUpAttemptMail(address));
    return { email: address, message: SIGN_UP_MESSAGE };
  };
}
