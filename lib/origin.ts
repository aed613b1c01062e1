/**
 * Cross-site request refusal. Sessions and owner capabilities ride on requests the browser sends
 * by itself, so a state-changing request or a socket opened from another site's page is refused:
 * its `Origin` (or, without one, `Sec-Fetch-Site`) must name this app, `PUBLIC_URL`, or one of
 * `ALLOWED_ORIGINS`. Clients that are not browsers send neither header and are let through.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { Config } from "./config.ts";
import { errorBody } from "./http.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Whether the request comes from a page this app trusts (or from no page at all). */
export function trustedOrigin(c: Context, config: Pick<Config, "publicUrl" | "allowedOrigins">) {
  const origin = c.req.header("origin");
  if (origin === undefined) return c.req.header("sec-fetch-site") !== "cross-site";
  if (origin === new URL(c.req.url).origin) return true;
  if (config.publicUrl && origin === new URL(config.publicUrl).origin) return true;
  return config.allowedOrigins.includes(origin);
}

/** The JSON 403 for a request from another site. */
export function refuseOrigin(c: Context) {
  return c.json(
    errorBody("forbidden_origin", "requests from another site's pages are refused"),
    403,
  );
}

/** Refuses state-changing requests from other sites' pages (CSRF). */
export function originCheck(config: Config): MiddlewareHandler {
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method) && !trustedOrigin(c, config)) return refuseOrigin(c);
    return await next();
  };
}
