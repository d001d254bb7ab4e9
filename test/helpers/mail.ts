// Reading the mail outbox (src/accounts/mail/outbox-mailer.ts) in tests: mails go out in the
// background, so these wait (polling, with a deadline) for the mail to be there.
import type { App } from "../../src/app.ts";

export interface OutboxMail {
  id: string;
  toAddress: string;
  kind: string;
  subject: string;
  body: string | null;
  createdAt: Date;
  sentAt: Date | null;
  lastError: string | null;
}

/** Every mail to `address` so far (after the background work started before now has ended), oldest first. */
export async function mailsTo(app: Pick<App, "central" | "accounts">, address: string): Promise<OutboxMail[]> {
  await app.accounts.drain();
  return app.central.mailOutbox.findMany({ where: { toAddress: address }, orderBy: { createdAt: "asc" } });
}

/** The newest mail of `kind` to `address`; fails when there is none. */
export async function lastMail(
  app: Pick<App, "central" | "accounts">,
  address: string,
  kind: string,
): Promise<OutboxMail> {
  const mail = (await mailsTo(app, address)).filter((m) => m.kind === kind).pop();
  if (!mail) throw new Error(`no ${kind} mail to ${address}`);
  return mail;
}

/** The token inside a mail's link (either link form: ?token=... or the GraphiQL mutation). */
export function tokenIn(mail: OutboxMail): string {
  const text = decodeURIComponent(mail.body ?? "");
  const match = /token(?:=|: ")([A-Za-z0-9_-]{20,})/.exec(text);
  if (!match) throw new Error(`no token in mail ${mail.id}`);
  return match[1]!;
}

/** The verification token mailed to `address`. */
export async function verificationTokenFor(app: Pick<App, "central" | "accounts">, address: string): Promise<string> {
  return tokenIn(await lastMail(app, address, "verify-email"));
}
