// One small interface for every mail the service sends. Account services build a MailMessage
// and call send(); how it travels (outbox table, log, SMTP) is the mailer's business.
export type MailKind = "verify-email" | "reset-password" | "sign-up-attempt";

export interface MailMessage {
  to: string;
  kind: MailKind;
  subject: string;
  text: string;
  /**
   * The single-use link inside `text`, if any. It is a secret: the log may print it only in
   * development (MAIL_LOG_LINKS), so a developer can click it without a mail server.
   */
  link?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}
