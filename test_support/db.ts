/**
 * A fresh PostgreSQL database per test, on the real server named by `DATABASE_URL` (default: the
 * local server's `test` database), dropped afterwards.
 */
import postgres from "postgres";
import { migrate } from "../lib/db/migrate.ts";

/** The server the tests use. */
export function testServerUrl(): string {
  return Deno.env.get("DATABASE_URL") || "postgres://postgres@127.0.0.1:5432/test";
}

/** A throwaway database. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database with a random name on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = postgres(testServerUrl(), { max: 1, onnotice: () => {} });
  const name = `vf_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testServerUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(testServerUrl(), { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** Runs `fn` on a fresh, migrated database (a pool of `max` connections), dropped afterwards. */
export async function withMigratedDatabase(
  fn: (sql: postgres.Sql) => Promise<void>,
  max = 4,
): Promise<void> {
  const database = await createTestDatabase();
  const sql = postgres(database.url, { max, onnotice: () => {} });
  try {
    await migrate(sql);
    await fn(sql);
  } finally {
    await sql.end();
    await database.drop();
  }
}
