/**
 * Rate limits per client: a token bucket per key (the client's address), refilled steadily. Kept
 * in this process's memory: a restart forgets them, and several processes each count their own.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getConnInfo } from "hono/deno";
import { errorBody } from "./http.ts";

/**
 * A token bucket: `perSecond` tokens a second, at most `burst` saved up.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket(200, 1000);
 * const waitMs = bucket.take();
 * if (waitMs > 0) await sleep(waitMs); // then take again
 * ```
 */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(readonly perSecond: number, readonly burst: number, now = Date.now()) {
    this.#tokens = burst;
    this.#at = now;
  }

  /** Takes a token; returns 0 when there was one, else the milliseconds until there is. */
  take(now = Date.now()): number {
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) / 1000) * this.perSecond);
    this.#at = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return ((1 - this.#tokens) / this.perSecond) * 1000;
  }

  /** Takes a token, waiting for one if need be: a client over its rate is slowed, not dropped. */
  async wait(): Promise<void> {
    for (let ms = this.take(); ms > 0; ms = this.take()) {
      await new Promise((r) => setTimeout(r, ms));
    }
  }
}

/** Buckets that refill beyond this many keys are forgotten first. */
const MAX_KEYS = 50_000;

/** A token bucket per key: `perMinute` tokens a minute, at most `perMinute` saved up. */
export class RateLimiter {
  readonly #buckets = new Map<string, TokenBucket>();

  /** `perMinute` 0 turns the limit off. */
  constructor(readonly perMinute: number) {}

  /** Takes a token for `key`; returns 0 when allowed, else the seconds until the next token. */
  take(key: string, now = Date.now()): number {
    if (this.perMinute <= 0) return 0;
    const b = this.#buckets.get(key) ?? new TokenBucket(this.perMinute / 60, this.perMinute, now);
    this.#buckets.delete(key); // re-inserted last: the map stays in least-recently-used order
    this.#buckets.set(key, b);
    if (this.#buckets.size > MAX_KEYS) {
      this.#buckets.delete(this.#buckets.keys().next().value!);
    }
    return Math.ceil(b.take(now) / 1000);
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
