import assert from "node:assert/strict";
import postgres from "postgres";
import { claimJob, completeJob, enqueueJob, failJob } from "./queue.ts";
import { withMigratedDatabase } from "../../test_support/db.ts";

function withDb(fn: (sql: postgres.Sql) => Promise<void>) {
  return withMigratedDatabase(fn);
}

Deno.test("a job is claimed by one worker, and taken again when its worker dies", () =>
  withDb(async (sql) => {
    const id = await enqueueJob(sql, "remux", null);
    const [a, b] = await Promise.all([
      claimJob(sql, ["remux"], "A", 1),
      claimJob(sql, ["remux"], "B", 1),
    ]);
    assert.ok((a === null) !== (b === null), "exactly one worker gets it");
    const first = (a ?? b)!;
    assert.equal(first.id, id);
    assert.equal(first.attempts, 1);
    assert.equal(await claimJob(sql, ["remux"], "C", 1), null, "leased");
    assert.equal(await claimJob(sql, ["other"], "C", 1), null, "other kinds only");
    // The worker dies: nobody renews the lease. After it expires, another worker takes the job.
    await new Promise((r) => setTimeout(r, 1100));
    const again = await claimJob(sql, ["remux"], "C", 30);
    assert.equal(again?.id, id);
    assert.equal(again?.attempts, 2);
    await completeJob(sql, id, "C");
    const [row] = await sql`SELECT status FROM jobs WHERE id = ${id}`;
    assert.equal(row.status, "done");
    assert.equal(await claimJob(sql, ["remux"], "C", 30), null);
  }));

Deno.test("a failed job is retried after a backoff, then fails for good", () =>
  withDb(async (sql) => {
    const id = await enqueueJob(sql, "remux", null, { maxAttempts: 2 });
    const j1 = (await claimJob(sql, ["remux"], "W", 30))!;
    assert.equal(await failJob(sql, j1, "W", "boom"), false);
    let [row] =
      await sql`SELECT status, last_error, run_at > NOW() AS later FROM jobs WHERE id = ${id}`;
    assert.deepEqual({ ...row }, { status: "queued", last_error: "boom", later: true });
    assert.equal(await claimJob(sql, ["remux"], "W", 30), null, "not before its backoff");
    await sql`UPDATE jobs SET run_at = NOW() WHERE id = ${id}`;
    const j2 = (await claimJob(sql, ["remux"], "W", 30))!;
    assert.equal(await failJob(sql, j2, "W", "boom again"), true);
    [row] = await sql`SELECT status FROM jobs WHERE id = ${id}`;
    assert.equal(row.status, "failed");
  }));

Deno.test("a job of higher priority queued later is claimed first; a lower one when nothing else is due", () =>
  withDb(async (sql) => {
    const rendition = await enqueueJob(sql, "rendition", null, { priority: -10 });
    const remux = await enqueueJob(sql, "remux", null);
    const autodoc = await enqueueJob(sql, "autodoc", null);
    const kinds = ["remux", "autodoc", "rendition"];
    assert.equal((await claimJob(sql, kinds, "A", 30))?.id, remux, "oldest of the first rank");
    assert.equal((await claimJob(sql, kinds, "A", 30))?.id, autodoc);
    assert.equal((await claimJob(sql, kinds, "A", 30))?.id, rendition);
    assert.equal(await claimJob(sql, kinds, "A", 30), null);
  }));
