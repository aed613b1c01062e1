/**
 * The database connection: a real PostgreSQL where `DATABASE_URL` is set, otherwise an embedded
 * PGlite served on a loopback socket, reached with the same `postgres` client either way.
 */
import postgres from "postgres";
import { join } from "node:path";
import type { Config } from "../config.ts";
import { startEmbeddedPostgres } from "./pglite.ts";
import { migrate } from "./migrate.ts";

/** The SQL client used everywhere. */
export type Sql = postgres.Sql;

/** An open database with a way to shut it down. */
export interface Database {
  sql: Sql;
  /** `postgres` for a real server, `pglite` for the embedded one. */
  kind: "postgres" | "pglite";
  close(): Promise<void>;
}

/** Options for {@link openDatabase}. */
export interface OpenOptions {
  /** Pool size for a real server. */
  max?: number;
}

/** Connects (starting PGlite when needed) and applies pending migrations. */
export async function openDatabase(config: Config, opts: OpenOptions = {}): Promise<Database> {
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | null = null;
  if (!url) {
    const embedded = await startEmbeddedPostgres(join(config.dataDir, "pg"));
    url = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const sql = postgres(url, {
    // PGlite serves one connection at a time correctly; more would interleave their messages.
    max: stopEmbedded ? 1 : (opts.max ?? 10),
    onnotice: () => {},
  });
  try {
    await migrate(sql);
  } catch (err) {
    await sql.end({ timeout: 1 });
    await stopEmbedded?.();
    throw err;
  }
  return {
    sql,
    kind: stopEmbedded ? "pglite" : "postgres",
    async close() {
      await sql.end({ timeout: 5 });
      await stopEmbedded?.();
    },
  };
}
