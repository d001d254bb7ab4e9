// With SMTP_URL, mail is recorded in the outbox and then delivered through SMTP (nodemailer,
// to a local sink here): once the server accepted it the row's body, which holds a live
// link, is erased and sent_at set; a refused delivery keeps the body and the reason.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { mailsTo } from "../helpers/mail.ts";
import { op } from "../helpers/operations.ts";
import { dataOf } from "../helpers/results.ts";
import { startSmtpSink, type SmtpSink } from "../helpers/smtp-sink.ts";

let sink: SmtpSink;
let app: TestApp;

beforeAll(async () => {
  sink = await startSmtpSink();
  app = await startTestApp({ env: { SMTP_URL: sink.url, MAIL_FROM: "Tenantgraph <accounts@tenantgraph.test>" } });
});
afterAll(async () => {
  await app?.close();
  await sink?.close();
});

const signUp = (email: string) =>
  app.graphql(op("SignUp"), { variables: { input: { email, password: "a long password" } } });

describe("mail through SMTP", () => {
  it("delivers the verification mail and erases the delivered body from the outbox", async () => {
    const address = `smtp-${crypto.randomUUID().slice(0, 8)}@example.test`;
    dataOf(await signUp(address));
    const [mail] = await mailsTo(app, address);
    expect(mail).toMatchObject({ kind: "verify-email", body: null, lastError: null });
    expect(mail!.sentAt).toBeInstanceOf(Date);
    const delivered = sink.messages.find((m) => m.to.some((to) => to.includes(address)));
    expect(delivered?.from).toContain("accounts@tenantgraph.test");
    expect(delivered?.data).toContain("Subject: Confirm your email address");
    expect(delivered?.data).toMatch(/verifyEmail|token/);
  });

  it("keeps the body and the reason when the server refuses the mail", async () => {
    const address = `refused-${crypto.randomUUID().slice(0, 8)}@example.test`;
    dataOf(await signUp(address));
    const [mail] = await mailsTo(app, address);
    expect(mail).toMatchObject({ kind: "verify-email", sentAt: null });
    expect(mail!.body).toContain("verifyEmail");
    expect(mail!.lastError).toMatch(/550/);
  });
});
