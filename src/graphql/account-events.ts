// Log-ins (successes and failures) and sign-ups in the central audit log, with the request's
// id and the client's address. A success whose record cannot be written fails: nobody signs
// in unrecorded. A failure is recorded, then reported as it was.
import type { Session } from "../accounts/sessions.ts";
import { normalizeEmail } from "../accounts/users.ts";
import { codeOf } from "../errors.ts";
import type { RequestContext } from "./context.ts";

type Run = () => Promise<Session>;

function origin(ctx: RequestContext) {
  return { requestId: ctx.requestId ?? null, clientIp: ctx.clientIp ?? null };
}

export async function auditedLogIn(ctx: RequestContext, email: string, run: Run): Promise<Session> {
  const address = normalizeEmail(email);
  let session: Session;
  try {
    session = await run();
  } catch (error) {
    await ctx.accounts.audit.record({
      action: "login.failed",
      email: address,
      ...origin(ctx),
      details: { code: codeOf(error) ?? "INTERNAL_SERVER_ERROR" },
    });
    throw error;
  }
  await ctx.accounts.audit.record({
    action: "login.succeeded",
    userId: session.userId,
    email: address,
    ...origin(ctx),
  });
  return session;
}

/**
 * A sign-up request, recorded by address only: the answer (and so this record) is the same
 * whether the address was new or taken (src/accounts/sign-up.ts), and the account's own
 * log-ins are recorded with its id.
 */
export async function auditedSignUp<T>(ctx: RequestContext, email: string, run: () => Promise<T>): Promise<T> {
  const answer = await run();
  await ctx.accounts.audit.record({ action: "user.sign_up_requested", email: normalizeEmail(email), ...origin(ctx) });
  return answer;
}
