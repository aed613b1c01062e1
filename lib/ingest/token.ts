/** Upload tokens: random capabilities, stored only as a SHA-256 hash, compared in constant time. */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A new random token (256 bits, base64url). */
export function newUploadToken(): string {
  return randomBytes(32).toString("base64url");
}

/** The hash stored in `videos.upload_token_hash`. */
export function hashUploadToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Whether `token` matches the stored hash, in time independent of where they differ. */
export function uploadTokenMatches(token: unknown, storedHash: string | null): boolean {
  if (typeof token !== "string" || !storedHash || token.length > 512) return false;
  const a = Buffer.from(hashUploadToken(token), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
