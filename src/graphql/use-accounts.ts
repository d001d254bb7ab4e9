// Puts the account services on every request's context (ctx.accounts). They hold the
// central client; the request's own state (user, organization) stays on the context.
import type { Plugin } from "graphql-yoga";
import type { RequestContext } from "./context.ts";
import type { Accounts } from "../accounts/accounts.ts";

export function useAccounts(accounts: Accounts): Plugin<RequestContext> {
  return {
    onContextBuilding({ extendContext }) {
      extendContext({ accounts });
    },
  };
}
