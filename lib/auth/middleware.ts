/**
 * The signed-in person on every request's context, looked up once by a middleware, so routes read
 * `c.get("user")` instead of each asking the database.
 *
 * @example
 * ```ts
 * const app = new Hono<AppEnv>();
 * app.use(session(sql));
 * app.get("/api/me", (c) => c.json(c.get("user")));
 * ```
 */
import type { Context, MiddlewareHandler } from "hono";
import type { Sql } from "../db/mod.ts";
import { sessionUser, type User } from "./sessions.ts";

/** The Hono environment of VideoFlow's routes: who is asking, `null` when nobody is signed in. */
export interface AppEnv {
  Variables: { user: User | null };
}

/** A request context of VideoFlow's routes. */
export type AppCtx = Context<AppEnv>;

/**
 * Paths that look nobody up: files and health; and the hot paths of recording and review, which
 * answer to the upload token (chunks, the ingest socket) or read the cookie themselves when the
 * socket opens (the live document), so a chunk costs no session query.
 */
const ANONYMOUS =
  /^\/(static|media)\/|^\/healthz$|^\/api\/collab\/|^\/api\/videos\/[^/]+\/(ingest$|chunks\/)/;

/** Puts the session's person (or null) on the context as `user`. */
export function session(sql: Sql): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("user", ANONYMOUS.test(c.req.path) ? null : await sessionUser(sql, c));
    await next();
  };
}
