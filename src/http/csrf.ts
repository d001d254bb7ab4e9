// CSRF prevention (Yoga's plugin): a request a browser sends cross-site without a CORS
// preflight (a GET, or a POST with a form or text/plain content type) must carry the header
// below, which such a page cannot set; JSON POSTs need nothing more. The refusal gets our
// FORBIDDEN code (Yoga's own error has none).
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import type { Plugin } from "graphql-yoga";
import { appError } from "../errors.ts";

export const CSRF_HEADER = "x-graphql-yoga-csrf";

export function useCsrfPrevention(): Plugin {
  const library = useCSRFPrevention({ requestHeaders: [CSRF_HEADER] });
  return {
    onRequestParse(payload) {
      try {
        return library.onRequestParse!(payload as never);
      } catch {
        throw appError(
          "FORBIDDEN",
          `a GET or form request must send the ${CSRF_HEADER} header (any value), or POST JSON`,
        );
      }
    },
  };
}
