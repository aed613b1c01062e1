/**
 * Capability tokens (a recording's upload token, a comment's delete token): random, stored only as
 * a SHA-256 hash, compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A new random token (256 bits, base64url). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** The hash that is stored instead of the token. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Whether `token` matches the stored hash, in time independent of where they differ. */
export function tokenMatches(token: unknown, storedHash: string | null): boolean {
  if (typeof token !== "string" || !storedHash || token.length > 512) return false;
  const a = Buffer.from(hashToken(token), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
