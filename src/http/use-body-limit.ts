// The request body's size limit (MAX_BODY_BYTES), in place of Yoga's maxRequestBodySize,
// which pipes every body through a counting TransformStream and builds a second Request
// around it: a stream pipeline, an AbortController and a DOMException per request, about
// 4 % of a page request's CPU (bench/request-path profile). The refusals are the same:
// - a Content-Length that is not one non-negative integer: 400 BAD_REQUEST;
// - a Content-Length over the limit: 413 REQUEST_ENTITY_TOO_LARGE before the body is read;
// - a body without one (chunked): counted while it is read, 413 as soon as it passes the limit.
// A body that came through Node's HTTP parser with a Content-Length is exactly that long
// (the parser reads no more as body, and refuses a request with both Content-Length and
// chunked encoding), so it needs no counting. Any other request (yoga.fetch in-process,
// another adapter) is counted whatever its header says.
import { IncomingMessage } from "node:http";
import { createGraphQLError, type Plugin } from "graphql-yoga";

const CONTENT_LENGTH = /^\d+$/;

const tooLarge = () =>
  createGraphQLError("Request body too large", {
    extensions: { http: { status: 413 }, code: "REQUEST_ENTITY_TOO_LARGE" },
  });

const invalidLength = () =>
  createGraphQLError("Content-Length header is invalid.", {
    extensions: { http: { status: 400 }, code: "BAD_REQUEST" },
  });

/** The request with its body read whole, refused as soon as it passes `limit` bytes. */
async function boundedRequest(request: Request, limit: number, RequestCtor: typeof Request): Promise<Request> {
  const reader = request.body!.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(read.value);
  }
  return new RequestCtor(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body: Buffer.concat(chunks),
  });
}

export function useBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, serverContext, fetchAPI }) {
      const length = request.headers.get("content-length");
      if (length !== null) {
        if (!CONTENT_LENGTH.test(length)) throw invalidLength();
        if (Number(length) > limit) throw tooLarge();
        const { req } = serverContext as { req?: unknown };
        if (req instanceof IncomingMessage && req.headers["content-length"] === length) return; // Node's parser bounds it
      }
      if (!requestParser || !request.body) return;
      setRequestParser(async (raw) => requestParser(await boundedRequest(raw, limit, fetchAPI.Request)));
    },
  };
}
