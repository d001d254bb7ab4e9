// The GraphQL server: one createYoga around one ordered plugin list. Each plugin adds one
// piece of the request path; their order is the order a request goes through them.
import { useDisableIntrospection } from "@graphql-yoga/plugin-disable-introspection";
import { createYoga, type YogaServerInstance } from "graphql-yoga";
import type { Logger } from "pino";
import type { Accounts } from "../accounts/accounts.ts";
import { useAccounts } from "../graphql/use-accounts.ts";
import { useAuth } from "../auth/use-auth.ts";
import type { TokenVerifier } from "../auth/verify-token.ts";
import type { Config } from "../config.ts";
import type { CentralDb } from "../data/central-client.ts";
import { useLoaders } from "../graphql/loaders.ts";
import { schema } from "../graphql/schema.ts";
import type { RequestContext } from "../graphql/context.ts";
import type { OrgClientCache } from "../tenancy/org-client-cache.ts";
import type { RouteCache } from "../tenancy/route-cache.ts";
import { useTenancy } from "../tenancy/use-tenancy.ts";
import type { OrgHostDirectory } from "../tenancy/org-hosts.ts";
import { useCsrfPrevention } from "./csrf.ts";
import { createGraphiQLRenderer } from "./graphiql.ts";
import { createMaskError, yogaLogger } from "./mask-error.ts";
import { useOperationLimits, type OperationLimits } from "./operation-limits.ts";
import { parseCacheOption } from "./parse-cache.ts";
import { loadPersistedOperations, usePersistedOperationsOnly } from "./persisted-operations.ts";
import { useHealth } from "./use-health.ts";
import { useHttpStatus } from "./use-http-status.ts";
import { useRequestLog } from "./use-request-log.ts";
import { useMetrics, type MetricsEndpointOptions } from "./use-metrics.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { useRateLimits, type RateLimitsOptions } from "./use-rate-limits.ts";
import { useBodyLimit } from "./use-body-limit.ts";
import { useClientAddress } from "./use-client-address.ts";
import { useCompiledExecution } from "./use-compiled-execution.ts";
import { useSupportAccess } from "./use-support-access.ts";

export interface ServerDeps {
  central: CentralDb;
  /** Central-database services for resolvers (ctx.accounts). */
  accounts: Accounts;
  orgClients: OrgClientCache;
  /** Placements and memberships this process knows (src/tenancy/route-cache.ts). */
  routes: RouteCache;
  servers: Record<string, string>;
  /** Organizations whose schema is older are not routed (TENANT_UNAVAILABLE, migrating). */
  requiredSchemaVersion: string | null;
  /** Organizations selected by host name. */
  orgHosts?: OrgHostDirectory;
  verifyToken: TokenVerifier;
  /** Limits per client IP, user and organization, counted in the shared store. */
  rateLimits: RateLimitsOptions;
  logger: Logger;
  graphiql?: boolean;
  limits: OperationLimits;
  http: Config["http"];
  /** Where the request path records its metrics; /metrics serves them (src/http/use-metrics.ts). None: no metrics. */
  metrics?: Metrics;
  metricsEndpoint: MetricsEndpointOptions;
  /** Reported by /health and /health/ready. */
  version: string;
  /** The newest central migration this code needs (readiness). */
  centralVersion: string | null;
}

export const GRAPHIQL_DEFAULT_QUERY = `# Paste a header printed by \`npm start\` into the Headers tab
# below, e.g.  {"Authorization": "Bearer eyJ..."}
# Members of several organizations add "X-Org-Id": "<org id>".
{
  me { email }
  currentOrganization { name tier viewerRole }
  projectsConnection(first: 20) {
    edges {
      node {
        id
        name
        itemsConnection(first: 20) {
          edges { node { id kind title status } }
        }
      }
    }
  }
}
`;

export type GraphQLServer = YogaServerInstance<Record<string, unknown>, RequestContext>;

export function createGraphQLServer(deps: ServerDeps): GraphQLServer {
  const { corsOrigins, introspection, persistedOperationsOnly, persistedOperationsFile } = deps.http;
  return createYoga<Record<string, unknown>, RequestContext>({
    schema,
    graphqlEndpoint: "/graphql",
    // Yoga's empty 200; /health itself (JSON with version and uptime) is useHealth's.
    healthCheckEndpoint: "/health/live",
    landingPage: false,
    graphiql:
      deps.graphiql === false || !introspection || persistedOperationsOnly
        ? false
        : { title: "tenantgraph", defaultQuery: GRAPHIQL_DEFAULT_QUERY },
    renderGraphiQL: createGraphiQLRenderer(),
    // Limits before work (src/http/operation-limits.ts): the body's size is useBodyLimit's
    // (plugin 4), not Yoga's counting stream; bounded parse cache.
    maxRequestBodySize: false,
    parserAndValidationCache: parseCacheOption({
      entries: deps.limits.parseCacheEntries,
      bytes: deps.limits.parseCacheBytes,
    }),
    // No CORS headers unless CORS_ORIGINS lists origins ("*" = any).
    cors:
      corsOrigins.length === 0 ? false : { origin: corsOrigins.includes("*") ? "*" : corsOrigins, credentials: false },
    maskedErrors: { maskError: createMaskError(deps.logger), errorMessage: "Unexpected error.", isDev: false },
    logging: yogaLogger(deps.logger),
    plugins: [
      // 1. Request id and a logger carrying it (then the organization's id and slug); access log line per response.
      useRequestLog(deps.logger),
      // 2. Metrics: /metrics, and per operation its name, outcome, duration, organization and cost.
      ...(deps.metrics ? [useMetrics(deps.metrics, deps.metricsEndpoint)] : []),
      // 3. Health (/health, /health/db, /health/ready), answered before any GraphQL work.
      useHealth({ central: deps.central, version: deps.version, centralVersion: deps.centralVersion }),
      // 4. Limits before any work: the body's size (413 above MAX_BODY_BYTES, by Content-Length
      // or counted while a chunked body is read), CSRF (a GET or a "simple" content type needs
      // x-graphql-yoga-csrf), persisted operations only (when configured), introspection (when
      // disabled), then the token/depth/alias/directive/cost limits. All run before the context (and its SQL).
      useBodyLimit(deps.limits.maxBodyBytes),
      useCsrfPrevention(),
      ...(persistedOperationsOnly
        ? [usePersistedOperationsOnly(loadPersistedOperations(persistedOperationsFile))]
        : []),
      ...(introspection ? [] : [useDisableIntrospection()]),
      ...useOperationLimits(deps.limits),
      // 5. Bearer token -> ctx.user (401 on a bad token; without one only introspection, signUp, logIn and refreshSession).
      useAuth(deps.verifyToken),
      // 6. Organization (host name, token claim or X-Org-Id): membership check (cached), placement, the org's client on ctx.db.
      useTenancy({
        central: deps.central,
        routes: deps.routes,
        orgClients: deps.orgClients,
        servers: deps.servers,
        requiredSchemaVersion: deps.requiredSchemaVersion,
        orgHosts: deps.orgHosts,
        metrics: deps.metrics,
        orgQuotas: deps.rateLimits.orgQuotas,
      }),
      // 7. Rate limits shared by every process: per field (signUp, logIn, createOrganization) and per organization (requests, cost).
      useRateLimits(deps.rateLimits),
      // 8. Account services (users, sessions, organizations, members) on ctx.accounts.
      useAccounts(deps.accounts),
      // 9. Per-request dataloaders for central data (users).
      useLoaders(deps.accounts),
      // 10. Response status per the GraphQL-over-HTTP specification and the Accept header.
      useHttpStatus(),
      // 11. The client's address for audit records (ctx.clientIp).
      useClientAddress(deps.rateLimits.limits.trustProxyHops),
      // 12. Support access (impersonation tokens): every request recorded with both identities; read-only unless --write.
      useSupportAccess(),
      // 13. Operations run compiled (graphql-jit) from their second execution on; GRAPHQL_EXECUTOR=graphql-js turns it off.
      ...(deps.http.executor === "jit" ? [useCompiledExecution()] : []),
    ],
  });
}
