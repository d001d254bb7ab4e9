// The default mailer: every mail becomes a row of the central table mail_outbox plus one log
// line. Without SMTP that is the whole delivery (tests and developers read the outbox; in
// development the log line carries the link). With SMTP the row is handed to the transport
// in the background and, once the server accepted it, its body (which may hold a
// single-use link) is erased and sent_at set; a failure is kept in last_error.
//
// Log lines carry the outbox id and the kind, never the address or the link, except when
// MAIL_LOG_LINKS is on (the embedded/dev default).
import type { Logger } from "pino";
import type { CentralDb } from "../../data/central-client.ts";
import type { BackgroundTasks } from "../background-tasks.ts";
import type { Mailer, MailMessage } from "./mailer.ts";
import type { MailTransport } from "./smtp-transport.ts";

export interface OutboxMailerOptions {
  central: CentralDb;
  log: Logger;
  logLinks: boolean;
  transport?: MailTransport;
  background: BackgroundTasks;
}

export function createOutboxMailer({ central, log, logLinks, transport, background }: OutboxMailerOptions): Mailer {
  async function deliver(id: string, message: MailMessage): Promise<void> {
    try {
      await transport!(message);
      await central.mailOutbox.update({ where: { id }, data: { sentAt: new Date(), body: null, lastError: null } });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      log.warn({ mailId: id, kind: message.kind, reason }, "mail delivery failed");
      await central.mailOutbox.update({ where: { id }, data: { lastError: reason.slice(0, 500) } });
    }
  }

  return {
    async send(message) {
      const { id } = await central.mailOutbox.create({
        data: { toAddress: message.to, kind: message.kind, subject: message.subject, body: message.text },
        select: { id: true },
      });
      if (logLinks) log.info({ mailId: id, kind: message.kind, to: message.to, link: message.link }, "mail (dev)");
      else log.info({ mailId: id, kind: message.kind }, "mail queued");
      if (transport) background.run(`deliver mail ${id}`, () => deliver(id, message));
    },
  };
}
