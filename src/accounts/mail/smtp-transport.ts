// Delivery through an SMTP server (SMTP_URL, e.g. smtps://user:pass@mail.example:465) with
// nodemailer. The outbox mailer calls it after the mail is recorded.
import nodemailer from "nodemailer";
import type { MailMessage } from "./mailer.ts";

export type MailTransport = (message: MailMessage) => Promise<void>;

export function createSmtpTransport(smtpUrl: string, from: string): MailTransport & { close(): void } {
  const transporter = nodemailer.createTransport(smtpUrl);
  const deliver = async (message: MailMessage) => {
    await transporter.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
  };
  return Object.assign(deliver, { close: () => transporter.close() });
}
