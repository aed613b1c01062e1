import assert from "node:assert/strict";
import { startJobs, startTestServer } from "../test_support/server.ts";
import { spawnWorker, startSharedS3, stopWorkers } from "../test_support/workers.ts";
import {
  CONSOLE_SLIDES,
  makeSlideRecording,
  randomSlides,
  slideText,
} from "../test_support/slides.ts";
import {
  getVideoJson,
  uploadRecording,
  waitFor,
  waitForDoc,
  waitForStatus,
} from "../test_support/helpers.ts";
import type { Sql } from "../lib/db/mod.ts";
import { wordRecall } from "../test_support/recall.ts";

interface DocJson {
  status: string;
  steps: {
    id: string;
    index: number;
    timestamp: number;
    title: string;
    text: string;
    imageUrl: string;
  }[];
}

for (const codec of ["vp8", "vp9"] as const) {
  Deno.test(`auto-doc makes one step per screen of a ${codec} recording, titled by its heading`, async () => {
    const rec = await makeSlideRecording(CONSOLE_SLIDES, { codec });
    await using server = await startTestServer();
    const { id } = await uploadRecording(server, rec.path, {
      title: "Northwind setup",
      mimeType: `video/webm;codecs=${codec},opus`,
    });
    await waitForDoc(server.url, id, "done");
    const doc: DocJson = await (await fetch(`${server.url}/api/videos/${id}/doc`)).json();
    assert.equal(doc.status, "done");
    assert.equal(
      doc.steps.length,
      rec.slides.length,
      JSON.stringify(doc.steps.map((s) => s.title)),
    );

    for (const [i, step] of doc.steps.entries()) {
      const slide = rec.slides[i];
      assert.ok(
        Math.abs(step.timestamp - rec.starts[i]) <= 1,
        `step ${i + 1} at ${step.timestamp}, slide at ${rec.starts[i]}`,
      );
      assert.equal(step.title, slide.heading);
      const { recall, missed } = wordRecall(slideText(slide), `${step.title}\n${step.text}`);

      assert.ok(recall >= 0.9, `step ${i + 1} recall ${recall}: missed ${missed}`);
    }
    const total = rec.slides.map(slideText).join("\n");
    const read = doc.steps.map((s) => `${s.title}\n${s.text}`).join("\n");
    const { recall, missed } = wordRecall(total, read);
    console.log(
      `${codec}: content-word recall ${(recall * 100).toFixed(1)} % (missed: ${
        missed.join(", ") || "none"
      })`,
    );
    assert.ok(recall >= 0.95, `recall ${recall}`);
    if (codec === "vp8") {
      await checkExportsAndSearch(
        server.services.db.sql,
        server.url,
        id,
        server.cookie,
        rec.starts,
        doc,
      );
      // Deleting the video takes its screenshots with it.
      const keys = (await server.services.db.sql`SELECT data ->> 'imageKey' AS key
        FROM annotations WHERE video_id = ${id} AND type = 'step'`).map((r) => r.key as string);
      assert.equal(keys.length, rec.slides.length);
      assert.ok((await server.services.storage.size(keys[0]))! > 0);
      const del = await fetch(`${server.url}/api/videos/${id}`, {
        method: "DELETE",
        headers: { cookie: server.cookie },
      });
      assert.equal(del.status, 204);
      for (const key of keys) {
        assert.equal(await server.services.storage.size(key), null, key);
      }
    }
  });
}

/** Markdown export, step images, a word only seen on screen, and a rerun. */
async function checkExportsAndSearch(
  sql: Sql,
  base: string,
  id: string,
  owner: string,
  starts: number[],
  doc: DocJson,
) {
  const md = await (await fetch(`${base}/api/videos/${id}/doc.md`)).text();
  assert.match(md, /^# Northwind setup$/m);
  for (const s of doc.steps) assert.ok(md.includes(`## ${s.index}. ${s.title}`), s.title);
  const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
  assert.equal(links.length, doc.steps.length);
  for (const link of links) {
    assert.match(link, new RegExp(`/api/videos/${id}/steps/\\d+\\.jpg$`));
    const res = await fetch(link);
    assert.equal(res.status, 200, link);
    assert.ok(res.redirected, "the stable URL redirects to a signed one");
    assert.equal(res.headers.get("content-type"), "image/jpeg");
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xd8], "a JPEG");
  }

  // "Quarterly" was only ever on screen (slide 4), never in a title or comment.
  const found =
    await (await fetch(`${base}/api/search?q=quarterly`, { headers: { cookie: owner } }))
      .json();
  assert.equal(found.hits.length, 1);
  const hit = found.hits[0];
  assert.equal(hit.kind, "step");
  assert.equal(hit.annotationId, doc.steps[3].id);
  const t = Number(new URL(hit.url, base).searchParams.get("t"));
  assert.ok(
    t >= starts[3] && t < starts[4],
    `the link seeks to ${t}, slide 4 shows ${starts[3]}–${starts[4]}`,
  );

  // Running it again replaces the steps: the same ids, no duplicates.
  const rerun = await fetch(`${base}/api/videos/${id}/doc`, {
    method: "POST",
    headers: { cookie: owner },
  });
  assert.equal(rerun.status, 202);
  await waitForDoc(base, id, "done");
  const again: DocJson = await (await fetch(`${base}/api/videos/${id}/doc`)).json();
  assert.equal(again.steps.length, doc.steps.length);
  assert.deepEqual(again.steps.map((s) => s.title), doc.steps.map((s) => s.title));
  assert.equal(await stepRowCount(sql, id), doc.steps.length, "one row per step after a rerun");
}

async function stepRowCount(sql: Sql, id: string): Promise<number> {
  const [{ count }] = await sql`SELECT count(*)::int AS count FROM annotations
    WHERE video_id = ${id} AND type = 'step'`;
  return count;
}

Deno.test("a worker killed during auto-doc: the job is taken again after its lease, no step doubles", async () => {
  const rec = await makeSlideRecording(randomSlides(10), { secondsPerSlide: 3 });
  await using s3 = await startSharedS3();
  const workers: Deno.ChildProcess[] = [];
  try {
    // The app remuxes; auto-doc runs only in worker processes, with a 2-second lease.
    await using server = await startTestServer(s3.env, { jobOptions: { kinds: ["remux"] } });
    const startWorker = () => {
      const w = spawnWorker({
        ...s3.env,
        DATABASE_URL: server.database.url,
        WORKER_JOBS: "autodoc",
        JOB_LEASE_S: "2",
      });
      workers.push(w);
      return w;
    };
    const first = startWorker();
    const { id } = await uploadRecording(server, rec.path);
    await waitForDoc(server.url, id, "done");
    const before: DocJson = await (await fetch(`${server.url}/api/videos/${id}/doc`)).json();
    assert.equal(before.steps.length, 10);

    // Run it again and kill the worker while it reads the screens.
    const rerun = await fetch(`${server.url}/api/videos/${id}/doc`, {
      method: "POST",
      headers: { cookie: server.cookie },
    });
    assert.equal(rerun.status, 202);
    await waitFor(
      async () => {
        const v = await getVideoJson(server.url, id);
        const doc = v.doc as { status: string; progress: number };
        return doc.status === "running" && doc.progress >= 40;
      },
      60_000,
      "the OCR phase",
    );
    first.kill("SIGKILL");
    await first.status;
    startWorker();
    await waitForDoc(server.url, id, "done");

    const after: DocJson = await (await fetch(`${server.url}/api/videos/${id}/doc`)).json();
    assert.deepEqual(after.steps.map((s) => s.id), before.steps.map((s) => s.id));
    const sql = server.services.db.sql;
    assert.equal(await stepRowCount(sql, id), 10, "one row per step");
    const jobs = await sql`SELECT status, attempts FROM jobs
      WHERE video_id = ${id} AND kind = 'autodoc' ORDER BY id`;
    assert.deepEqual(jobs.map((j) => [j.status, j.attempts]), [["done", 1], ["done", 2]]);
    await stopWorkers(workers);
  } finally {
    await stopWorkers(workers);
  }
});

Deno.test("ffmpeg missing: the guide fails with the reason, for the API to show", async () => {
  const rec = await makeSlideRecording(CONSOLE_SLIDES.slice(0, 2));
  await using server = await startTestServer({}, { jobOptions: { kinds: ["remux"] } });
  const { id } = await uploadRecording(server, rec.path);
  await waitForStatus(server.url, id, "ready");
  const { sql } = server.services.db;
  const runner = startJobs(server, ["autodoc"], { ffmpegPath: "/nonexistent/ffmpeg" });
  try {
    const video = await waitForDoc(server.url, id, "failed");
    assert.deepEqual(video.doc, {
      status: "failed",
      progress: 0,
      error: "ffmpeg not found: install it or set FFMPEG_PATH",
    });
    const doc = await (await fetch(`${server.url}/api/videos/${id}/doc`)).json();
    assert.equal(doc.error, "ffmpeg not found: install it or set FFMPEG_PATH");
    const [job] =
      await sql`SELECT status, attempts FROM jobs WHERE video_id = ${id} AND kind = 'autodoc'`;
    assert.deepEqual(
      [job.status, job.attempts],
      ["failed", 1],
      "not retried: retrying cannot help",
    );
  } finally {
    await runner.stop();
  }
});
