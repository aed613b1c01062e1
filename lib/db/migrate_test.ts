import assert from "node:assert/strict";
import postgres from "postgres";
import { migrate, readMigrations } from "./migrate.ts";
import { createTestDatabase } from "../../test_support/db.ts";

Deno.test("migrations apply in order, once each, and are recorded", async () => {
  const database = await createTestDatabase();
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  try {
    const files = await readMigrations();
    assert.equal(files[0].name, "0001_init.sql");
    assert.deepEqual(
      files.map((f) => f.version),
      [...files.map((f) => f.version)].sort((a, b) => a - b),
    );
    // Two processes starting at once: each migration is applied by exactly one.
    const [a, b] = await Promise.all([migrate(sql), migrate(sql)]);
    assert.deepEqual([...a, ...b].sort(), files.map((f) => f.name));
    assert.deepEqual(await migrate(sql), []);
    const rows = await sql`SELECT version, name FROM schema_migrations ORDER BY version`;
    assert.deepEqual(rows.map((r) => r.name), files.map((f) => f.name));
    const cols = await sql`SELECT column_name FROM information_schema.columns
      WHERE table_name = 'videos' ORDER BY ordinal_position`;
    const names = cols.map((c) => c.column_name);
    for (
      const c of [
        "id",
        "title",
        "s3_key",
        "status",
        "duration",
        "upload_id",
        "created_at",
        "upload_token_hash",
      ]
    ) {
      assert.ok(names.includes(c), c);
    }
  } finally {
    await sql.end();
    await database.drop();
  }
});

Deno.test("a failing migration is rolled back whole and not recorded", async () => {
  const database = await createTestDatabase();
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    const broken = [{
      version: 1,
      name: "0001_broken.sql",
      sql: "CREATE TABLE t (a INT); SELECT nope;",
    }];
    await assert.rejects(() => migrate(sql, broken));
    const [t] = await sql`SELECT to_regclass('t') AS t`;
    assert.equal(t.t, null);
    const rows = await sql`SELECT * FROM schema_migrations`;
    assert.equal(rows.length, 0);
  } finally {
    await sql.end();
    await database.drop();
  }
});
