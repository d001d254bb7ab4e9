// Production mode that accepts only known operations (trusted documents). `npm run codegen`
// writes operations/generated/persisted-documents.json (client preset, persistedDocuments:
// sha256 hash -> document text) from operations/*.graphql; with PERSISTED_OPERATIONS_ONLY=true
// the server loads that file once at start and runs a request only when it names a listed
// hash (Apollo's format: extensions.persistedQuery = { version: 1, sha256Hash }). Query text
// is refused (CANNOT_SEND_PQ_ID_AND_BODY), an unknown hash too (PERSISTED_QUERY_NOT_IN_LIST).
import { readFileSync } from "node:fs";
import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";
import type { Plugin } from "graphql-yoga";
import { ConfigError } from "../config.ts";

/** hash -> document text, as the client preset writes it. */
export function loadPersistedOperations(file: string): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(
      `PERSISTED_OPERATIONS_FILE ${file} cannot be read (run npm run codegen): ${(error as Error).message}`,
    );
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw new ConfigError(`PERSISTED_OPERATIONS_FILE ${file} is not a JSON object of hash -> document`);
  const operations = new Map<string, string>();
  for (const [hash, text] of Object.entries(parsed)) {
    if (typeof text !== "string")
      throw new ConfigError(`PERSISTED_OPERATIONS_FILE ${file}: entry ${hash} is not a document`);
    operations.set(bareHash(hash), text);
  }
  return operations;
}

/** Some client-preset versions write keys as "sha256:<hex>"; Apollo's sha256Hash is the bare hex. Either names the same operation. */
function bareHash(hash: string): string {
  return hash.startsWith("sha256:") ? hash.slice("sha256:".length) : hash;
}

export function usePersistedOperationsOnly(operations: Map<string, string>): Plugin {
  const codeOf = (code: string, status: number) => ({ extensions: { code, http: { status } } });
  return usePersistedOperations({
    allowArbitraryOperations: false,
    getPersistedOperation: (hash) => operations.get(bareHash(hash)) ?? null,
    customErrors: {
      notFound: {
        message: "unknown operation: this server accepts only persisted operations",
        ...codeOf("PERSISTED_QUERY_NOT_IN_LIST", 400),
      },
      keyNotFound: {
        message: "send a persisted operation's hash (extensions.persistedQuery.sha256Hash)",
        ...codeOf("PERSISTED_QUERY_ID_REQUIRED", 400),
      },
      persistedQueryOnly: {
        message: "this server accepts only persisted operations, not query text",
        ...codeOf("CANNOT_SEND_PQ_ID_AND_BODY", 400),
      },
    },
  }) as Plugin;
}
