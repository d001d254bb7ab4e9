// HTTP status codes as the GraphQL-over-HTTP specification asks, per response media type:
//
// - application/graphql-response+json (also for a request with no Accept header or only a
//   wildcard, the specification's default since 2025; Yoga would pick application/json):
//   a response with data (partial data included) is 200; a response without data keeps the
//   status of its error (400 parse and validation errors, 401 UNAUTHENTICATED, ...); a
//   response whose data is null (every root field failed) keeps its error's status too.
// - application/json: 200 for every well-formed GraphQL-over-HTTP request, whatever errors
//   the body carries; only a request that is not one (invalid JSON, no query: Yoga's
//   BAD_REQUEST) keeps its 4xx.
//
// Yoga alone answers the status of an error's extensions.http.status even when the response
// has data or when the client asked for application/json.
import type { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";

type OnResultProcess = NonNullable<Plugin["onResultProcess"]>;
type ResultProcessEvent = Parameters<OnResultProcess>[0];
type ResultProcessor = Parameters<ResultProcessEvent["setResultProcessor"]>[0];
type ResultProcessorInput = ResultProcessEvent["result"];

const GRAPHQL_RESPONSE_JSON = "application/graphql-response+json";
const JSON_MEDIA_TYPE = "application/json";

export function useHttpStatus(): Plugin {
  return {
    // Runs after Yoga's own result-processor plugin has chosen a processor (user plugins come later).
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      if (!resultProcessor || !isSingleResult(result)) return;
      const mediaType = responseMediaType(request.headers.get("accept"));
      if (!mediaType) return; // the client asked for a stream format: Yoga's choice stands
      setResultProcessor(withSpecStatus(resultProcessor), mediaType);
    },
  };
}

/** The media type of a single JSON response: the first Accept entry that allows one; a wildcard means graphql-response+json. */
export function responseMediaType(accept: string | null): string | undefined {
  if (!accept?.trim()) return GRAPHQL_RESPONSE_JSON;
  for (const entry of accept.toLowerCase().split(",")) {
    const [type = "", ...params] = entry.split(";").map((part) => part.trim());
    const charset = params.find((p) => p.startsWith("charset="));
    if (charset && charset !== "charset=utf-8") continue;
    if (type === GRAPHQL_RESPONSE_JSON || type === "*/*" || type === "application/*") return GRAPHQL_RESPONSE_JSON;
    if (type === JSON_MEDIA_TYPE) return JSON_MEDIA_TYPE;
  }
  return undefined;
}

function withSpecStatus(process: ResultProcessor): ResultProcessor {
  return async (result, fetchAPI, mediaType) => {
    const response = await process(result, fetchAPI, mediaType);
    const status = specStatus(result as SingleResult, mediaType, response.status);
    if (status === response.status) return response;
    return new fetchAPI.Response(response.body, { status, headers: response.headers });
  };
}

type SingleResult = { data?: unknown; errors?: readonly GraphQLError[] };

function specStatus(result: SingleResult, mediaType: string, yogaStatus: number): number {
  if (yogaStatus < 400) return yogaStatus;
  const hasData = result.data !== undefined && result.data !== null;
  if (mediaType === JSON_MEDIA_TYPE) return isWellFormedRequest(result) ? 200 : yogaStatus;
  return hasData ? 200 : yogaStatus;
}

/** Yoga answers a request that is not a GraphQL-over-HTTP request (bad JSON, no query) with BAD_REQUEST errors. */
function isWellFormedRequest(result: SingleResult): boolean {
  return !(result.errors ?? []).some((error) => error.extensions?.code === "BAD_REQUEST");
}

function isSingleResult(result: ResultProcessorInput): boolean {
  return !Array.isArray(result) && !(Symbol.asyncIterator in (result as object));
}
