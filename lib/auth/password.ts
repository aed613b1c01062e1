/**
 * Password hashing with scrypt (memory-hard: 32 MiB and ~0.1 s per hash here), stored as
 * `scrypt$N$r$p$salt$hash` so the cost can rise later without breaking old hashes.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password,
      salt,
      KEY_BYTES,
      { N: n, r, p, maxmem: 256 * n * r },
      (err, key) => err ? reject(err) : resolve(key),
    )
  );
}

/** Hashes a password with a fresh salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return ["scrypt", N, R, P, salt.toString("base64url"), key.toString("base64url")].join("$");
}

/** Whether `password` matches a stored hash (false for a hash it cannot read). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split("$");
  if (kind !== "scrypt" || !salt || !hash) return false;
  const want = Buffer.from(hash, "base64url");
  const got = await derive(password, Buffer.from(salt, "base64url"), +n, +r, +p);
  return want.length === got.length && timingSafeEqual(want, got);
}

let dummy: Promise<string> | null = null;

/** A hash of nothing, checked against when the email is unknown so both cases take as long. */
export function dummyHash(): Promise<string> {
  return dummy ??= hashPassword(crypto.randomUUID());
}
