import assert from "node:assert/strict";
import postgres from "postgres";
import { migrate } from "../db/migrate.ts";
import { enqueueJob } from "./queue.ts";
import { JobRunner } from "./runner.ts";
import { createTestDatabase } from "../../test_support/db.ts";
import { waitFor } from "../../test_support/helpers.ts";

Deno.test("background kinds never hold every loop: a new job starts while they run", async () => {
  const database = await createTestDatabase();
  const sql = postgres(database.url, { max: 4, onnotice: () => {} });
  const started: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => release = r);
  const runner = new JobRunner({
    sql,
    concurrency: 2,
    pollMs: 50,
    background: ["slow"],
    handlers: {
      slow: async (job) => {
        started.push(`slow ${job.id}`);
        await held;
      },
      quick: (job) => {
        started.push(`quick ${job.id}`);
        return Promise.resolve();
      },
    },
  });
  try {
    await migrate(sql);
    const slow1 = await enqueueJob(sql, "slow", null);
    const slow2 = await enqueueJob(sql, "slow", null);
    runner.start();
    await waitFor(() => started.length >= 1, 10_000, "a slow job");
    const quick = await enqueueJob(sql, "quick", null);
    await waitFor(() => started.includes(`quick ${quick}`), 10_000, "the quick job");
    assert.deepEqual(started, [`slow ${slow1}`, `quick ${quick}`], "the second slow job waits");
    release();
    await waitFor(() => started.includes(`slow ${slow2}`), 10_000, "the second slow job");
  } finally {
    release();
    await runner.stop();
    await sql.end();
    await database.drop();
  }
});
