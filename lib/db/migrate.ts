/** Applies the numbered `.sql` files of `migrations/` in order, each once, in its own transaction. */
import type { Sql } from "./mod.ts";

const MIGRATIONS_DIR = new URL("../../migrations/", import.meta.url);
/** Advisory lock key serializing migrations across processes. */
const LOCK_ID = 7077001;

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Reads the migration files, sorted by their number. */
export async function readMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const found: Migration[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const match = /^(\d+)_([\w-]+)\.sql$/.exec(entry.name);
    if (!entry.isFile || !match) continue;
    found.push({
      version: Number(match[1]),
      name: entry.name,
      sql: await Deno.readTextFile(new URL(entry.name, dir)),
    });
  }
  found.sort((a, b) => a.version - b.version);
  for (let i = 1; i < found.length; i++) {
    if (found[i].version === found[i - 1].version) {
      throw new Error(`two migrations share number ${found[i].version}`);
    }
  }
  return found;
}

/** Applies every migration not yet recorded in `schema_migrations`; returns the names applied. */
export async function migrate(sql: Sql, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? await readMigrations();
  await sql.begin(async (tx) => {
    // Under the same lock as the migrations: two processes may start together.
    await tx`SELECT pg_advisory_xact_lock(${LOCK_ID})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INT PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    )`;
  });
  const applied: string[] = [];
  for (const m of all) {
    const done = await sql.begin(async (tx) => {
      // Two processes starting at once: the second waits here, then sees the row and skips.
      await tx`SELECT pg_advisory_xact_lock(${LOCK_ID})`;
      const [row] = await tx`SELECT 1 FROM schema_migrations WHERE version = ${m.version}`;
      if (row) return false;
      await tx.unsafe(m.sql);
      await tx`INSERT INTO schema_migrations (version, name) VALUES (${m.version}, ${m.name})`;
      return true;
    });
    if (done) applied.push(m.name);
  }
  return applied;
}
