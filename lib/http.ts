/** Small helpers shared by the API routes: JSON errors, body parsing, ids and tokens. */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

/** A client error to answer as `{"error": {"code", "message"}}`. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(readonly status: ContentfulStatusCode, readonly code: string, message: string) {
    super(message);
  }
}

/** The JSON error body every API route answers with. */
export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `s` is a UUID as the database stores them. */
export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}

/** The `:id` path parameter, checked to be a UUID (400 otherwise). */
export function videoIdParam(c: Context): string {
  const id = c.req.param("id") ?? "";
  if (!isUuid(id)) throw new ApiError(400, "bad_id", "the video id is not a valid id");
  return id.toLowerCase();
}

/** The token of an `Authorization: Bearer` header, or null. */
export function bearerToken(c: Context): string | null {
  const h = c.req.header("authorization");
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m ? m[1] : null;
}

/** Parses the JSON body against `schema`, answering 400 with the first problem otherwise. */
export async function readJson<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError(400, "bad_json", "the body is not valid JSON");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join(".") + ": " : "";
    throw new ApiError(400, "invalid", where + issue.message);
  }
  return parsed.data;
}
