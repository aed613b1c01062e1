/**
 * Sessions: a random id in an HttpOnly cookie, stored as its SHA-256. A new id at every sign-in,
 * an expiry, sign-out of one session or of all of a person's sessions.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { parse } from "hono/utils/cookie";
import type { Sql } from "../db/mod.ts";
import { hashToken, newToken } from "../tokens.ts";

/** The session cookie's name. */
export const SESSION_COOKIE = "vf_session";
/** How long a session lasts. */
export const SESSION_DAYS = 30;

/** A signed-in person. */
export interface User {
  id: string;
  email: string;
  name: string;
}

/** Starts a session for a user and sets its cookie (Secure when the app is reached over HTTPS). */
export async function startSession(
  sql: Sql,
  c: Context,
  userId: string,
  publicUrl: string | null,
): Promise<void> {
  const id = newToken();
  await sql`INSERT INTO sessions (id_hash, user_id, expires_at)
    VALUES (${hashToken(id)}, ${userId}, NOW() + make_interval(days => ${SESSION_DAYS}))`;
  setCookie(c, SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: "Lax",
    path: "/",
    maxAge: SESSION_DAYS * 24 * 3600,
    secure: new URL(publicUrl ?? c.req.url).protocol === "https:",
  });
}

/** The person whose unexpired session the request carries, or null. */
export function sessionUser(sql: Sql, c: Context): Promise<User | null> {
  return userOfSession(sql, getCookie(c, SESSION_COOKIE));
}

/**
 * The same from a raw `Cookie` header, for a WebSocket whose request is gone by the time the
 * socket opens.
 */
export function sessionUserFromHeader(sql: Sql, header: string | undefined): Promise<User | null> {
  const id = parse(header ?? "", SESSION_COOKIE)[SESSION_COOKIE];
  return userOfSession(sql, id);
}

async function userOfSession(sql: Sql, id: string | undefined): Promise<User | null> {
  if (!id || id.length > 200) return null;
  const [row] = await sql<User[]>`
    SELECT u.id, u.email, u.name FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.id_hash = ${hashToken(id)} AND s.expires_at > NOW()`;
  return row ?? null;
}

/** Ends the request's session (or, with `everywhere`, all of its person's) and clears the cookie. */
export async function endSession(sql: Sql, c: Context, everywhere: boolean): Promise<void> {
  const id = getCookie(c, SESSION_COOKIE);
  if (id && id.length <= 200) {
    const hash = hashToken(id);
    if (everywhere) {
      await sql`DELETE FROM sessions WHERE user_id =
        (SELECT user_id FROM sessions WHERE id_hash = ${hash})`;
    } else {
      await sql`DELETE FROM sessions WHERE id_hash = ${hash}`;
    }
  }
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}
