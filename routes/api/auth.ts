/**
 * Accounts: `POST /api/auth/signup` `{email, password, name}`, `POST /api/auth/login`
 * `{email, password}`, `POST /api/auth/logout` (`{everywhere: true}` ends every session), and
 * `GET /api/me`. Sign-in and sign-up are rate limited per client.
 */
import type { AppEnv } from "../../lib/auth/middleware.ts";
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../lib/context.ts";
import { ApiError, readJson } from "../../lib/http.ts";
import { dummyHash, hashPassword, verifyPassword } from "../../lib/auth/password.ts";
import { endSession, startSession, type User } from "../../lib/auth/sessions.ts";
import { rateLimit, RateLimiter } from "../../lib/rate_limit.ts";

const noNul = (s: string) => !s.includes("\u0000");
const email = z.string().trim().max(254).email("is not an email address");
const signupSchema = z.object({
  email,
  password: z.string().min(8, "password is shorter than 8 characters").max(200)
    .refine(noNul, "password holds a NUL character"),
  name: z.string().trim().min(1, "name is empty").max(80).refine(noNul, "name holds a NUL"),
});
const loginSchema = z.object({ email, password: z.string().max(200) });
const logoutSchema = z.object({ everywhere: z.boolean().optional() }).optional();

/** The account routes, mounted at `/api`. */
export function authRoutes(app: AppContext): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const { sql } = app.db;
  const { trustProxy } = app.config;
  const logins = rateLimit(new RateLimiter(app.config.loginsPerMinute), trustProxy, "sign-ins");
  const signups = rateLimit(new RateLimiter(app.config.signupsPerMinute), trustProxy, "sign-ups");
  const userJson = (u: User) => ({ id: u.id, email: u.email, name: u.name });

  routes.post("/auth/signup", signups, async (c) => {
    const body = await readJson(c, signupSchema);
    const hash = await hashPassword(body.password);
    const [user] = await sql<User[]>`
      INSERT INTO users (email, name, password_hash) VALUES (${body.email}, ${body.name}, ${hash})
      ON CONFLICT DO NOTHING RETURNING id, email, name`;
    if (!user) throw new ApiError(409, "email_taken", "an account with this email exists");
    await startSession(sql, c, user.id, app.config.publicUrl);
    return c.json(userJson(user), 201);
  });

  routes.post("/auth/login", logins, async (c) => {
    const body = await readJson(c, loginSchema);
    const [row] = await sql`SELECT id, email, name, password_hash FROM users
      WHERE lower(email) = lower(${body.email})`;
    // An unknown email costs a hash too: the answer's timing does not tell who has an account.
    const ok = await verifyPassword(body.password, row?.password_hash ?? await dummyHash());
    if (!row || !ok) throw new ApiError(401, "bad_credentials", "wrong email or password");
    await startSession(sql, c, row.id, app.config.publicUrl);
    return c.json(userJson(row as User));
  });

  routes.post("/auth/logout", async (c) => {
    // The page header's sign-out button is a plain form: it gets sent back to the library.
    if (c.req.header("content-type")?.startsWith("application/x-www-form-urlencoded")) {
      const form = await c.req.parseBody();
      await endSession(sql, c, form.everywhere === "1");
      return c.redirect("/", 303);
    }
    const raw = await c.req.text();
    let everywhere = false;
    if (raw.trim()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new ApiError(400, "bad_json", "the body is not valid JSON");
      }
      const body = logoutSchema.safeParse(parsed);
      if (!body.success) throw new ApiError(400, "invalid", 'send {"everywhere": true} or nothing');
      everywhere = body.data?.everywhere ?? false;
    }
    await endSession(sql, c, everywhere);
    return c.body(null, 204);
  });

  routes.get("/me", (c) => {
    const user = c.get("user");
    if (!user) throw new ApiError(401, "unauthorized", "sign in first");
    return c.json(userJson(user));
  });

  return routes;
}
