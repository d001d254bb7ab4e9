// Password hashing with argon2id (@node-rs/argon2, prebuilt binaries), OWASP's minimum
// parameters: 19 MiB, 2 passes, 1 lane. The parameters travel inside each PHC string, so
// raising them later still verifies old hashes.
import { hash, verify } from "@node-rs/argon2";

const ARGON2ID = 2; // Algorithm.Argon2id: a const enum, which isolatedModules cannot import.
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

// Users without a password (or an unknown email) are checked against this hash, so a login
// costs one argon2 verification whatever the account: the response time tells nothing.
// Made once, at start, so not even the first unknown email costs an extra hash.
const decoy = hashPassword("decoy password that no account has");

/** True only when `stored` is a hash of `password`; a missing hash costs the same and fails. */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (!stored) {
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
