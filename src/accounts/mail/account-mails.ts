// The texts of the account mails and the links inside them. With ACCOUNT_LINK_URL a link is
// `<url>/<action>?token=...` (a page of the product that calls the mutation); without it,
// a GraphiQL page of this server with the mutation filled in, so `npm start` works alone.
import type { MailMessage } from "./mailer.ts";

export type LinkAction = "verify-email" | "reset-password";

export interface AccountLinks {
  /** ACCOUNT_LINK_URL, without a trailing slash. */
  linkUrl?: string;
  /** This server's GraphQL endpoint as a browser reaches it (the fallback). */
  graphqlUrl: string;
}

export function accountLink({ linkUrl, graphqlUrl }: AccountLinks, action: LinkAction, token: string): string {
  if (linkUrl) return `${linkUrl}/${action}?token=${encodeURIComponent(token)}`;
  const mutation =
    action === "verify-email"
      ? `mutation { verifyEmail(token: "${token}") }`
      : `mutation { resetPassword(token: "${token}", newPassword: "choose a new password") }`;
  return `${graphqlUrl}?query=${encodeURIComponent(mutation)}`;
}

export function verificationMail(to: string, link: string, ttlMinutes: number): MailMessage {
  return {
    to,
    kind: "verify-email",
    subject: "Confirm your email address",
    text: `Confirm that this address is yours by opening this link (valid for ${describe(ttlMinutes)}):\n\n${link}\n\nIf you did not sign up, ignore this mail.`,
    link,
  };
}

export function passwordResetMail(to: string, link: string, ttlMinutes: number): MailMessage {
  return {
    to,
    kind: "reset-password",
    subject: "Set a new password",
    text: `Someone (hopefully you) asked to set a new password for this address. Open this link to choose one (valid for ${describe(ttlMinutes)}, once):\n\n${link}\n\nIf it was not you, ignore this mail: your password stays as it is.`,
    link,
  };
}

export function signUpAttemptMail(to: string): MailMessage {
  return {
    to,
    kind: "sign-up-attempt",
    subject: "Someone tried to sign up with your address",
    text: "Someone tried to create an account with this address, which already has one. Nothing was changed.\n\nIf it was you: log in instead, or ask for a password reset if you forgot your password. If not, you can ignore this mail.",
  };
}

function describe(minutes: number): string {
  if (minutes % (24 * 60) === 0) return `${minutes / (24 * 60)} day(s)`;
  if (minutes % 60 === 0) return `${minutes / 60} hour(s)`;
  return `${minutes} minutes`;
}
