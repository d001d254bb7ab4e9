// A token that names a session (`sid`) is refused once that session is revoked: checked
// against the process's revocation set (src/accounts/revoked-sessions.ts), a map lookup, so
// no request waits for the central database. Tokens without `sid` (demo tokens, an identity
// provider's) are not tied to a session and live until they expire.
import type { RevokedSessions } from "../accounts/revoked-sessions.ts";
import { InvalidTokenError, type TokenVerifier } from "./verify-token.ts";

export function refusingRevokedSessions(verify: TokenVerifier, revoked: Pick<RevokedSessions, "has">): TokenVerifier {
  return async (token) => {
    const identity = await verify(token);
    if (identity.sessionId && revoked.has(identity.sessionId)) throw new InvalidTokenError("session revoked");
    return identity;
  };
}
