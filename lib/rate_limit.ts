/**
 * Rate limits per client: a token bucket per key (the client's address), refilled steadily. Kept
 * in this process's memory: a restart forgets them, and several processes each count their own.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getConnInfo } from "hono/deno";
import { errorBody } from "./http.ts";

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets that refill beyond this many keys are forgotten first. */
const MAX_KEYS = 50_000;

/** A token bucket per key: `perMinute` tokens a minute, at most `perMinute` saved up. */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  /** `perMinute` 0 turns the limit off. */
  constructor(readonly perMinute: number) {}

  /** Takes a token for `key`; returns 0 when allowed, else the seconds until the next token. */
  take(key: string, now = Date.now()): number {
    if (this.perMinute <= 0) return 0;
    const rate = this.perMinute / 60_000;
    const b = this.#buckets.get(key) ?? { tokens: this.perMinute, at: now };
    b.tokens = Math.min(this.perMinute, b.tokens + (now - b.at) * rate);
    b.at = now;
    this.#buckets.delete(key); // re-inserted last: the map stays in least-recently-used order
    this.#buckets.set(key, b);
    if (this.#buckets.size > MAX_KEYS) {
      this.#buckets.delete(this.#buckets.keys().next().value!);
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / rate / 1000);
  }
}

/**
 * The client's address: the connection's, or with `trustProxy` the last `X-Forwarded-For` entry
 * (the one the proxy in front added; earlier ones are whatever the client sent). IPv6 clients
 * are counted by their /64, which one client usually holds whole.
 */
export function clientKey(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return addressKey(forwarded);
  }
  try {
    return addressKey(getConnInfo(c).remote.address ?? "unknown");
  } catch {
    return "unknown"; // called without a connection (a test calling app.fetch directly)
  }
}

/** Answers 429, with `Retry-After`, once a client goes past `limiter`'s rate. */
export function rateLimit(
  limiter: RateLimiter,
  trustProxy: boolean,
  what: string,
): MiddlewareHandler {
  return async (c, next) => {
    const wait = limiter.take(clientKey(c, trustProxy));
    if (wait > 0) {
      c.header("retry-after", String(wait));
      return c.json(
        errorBody("rate_limited", `too many ${what}: try again in ${wait} s`),
        429,
      );
    }
    return await next();
  };
}

/** An address as a bucket key: IPv4 whole, IPv6 by its first four groups (its /64). */
export function addressKey(address: string): string {
  if (!address.includes(":")) return address;
  const [head] = address.split("::");
  const groups = head.split(":").filter(Boolean);
  return groups.length >= 4 ? `${groups.slice(0, 4).join(":")}::/64` : address;
}
