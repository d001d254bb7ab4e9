// The client's address on the context (ctx.clientIp), for the audit log: the same address
// the rate limits count by (src/http/client-ip.ts; X-Forwarded-For only with TRUST_PROXY).
import type { Plugin } from "graphql-yoga";
import type { RequestContext } from "../graphql/context.ts";
import { clientIp } from "./client-ip.ts";

type NodeServerContext = { req?: { socket?: { remoteAddress?: string } } };

export function useClientAddress(trustedHops: number): Plugin<RequestContext> {
  return {
    onContextBuilding({ context, extendContext }) {
      const ctx = context as RequestContext & NodeServerContext;
      extendContext({
        clientIp: clientIp(ctx.request.headers.get("x-forwarded-for"), ctx.req?.socket?.remoteAddress, trustedHops),
      });
    },
  };
}
