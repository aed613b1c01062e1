import assert from "node:assert/strict";
import { startTestServer } from "../../test_support/server.ts";
import { makeWebm, sha256, splitEvenly } from "../../test_support/media.ts";
import { originalKey, readObject } from "../../test_support/helpers.ts";
import { MemoryStore, newStoredRecording } from "../../test_support/upload_store.ts";
import { Uploader } from "./uploader.ts";
import { type ChunkSource, RecordingSession, type SessionPhase } from "./session.ts";

/** A MediaRecorder that hands out the chunks it is given, its last one after stop(). */
class FakeRecorder implements ChunkSource {
  state: "inactive" | "recording" | "paused" = "inactive";
  ondataavailable: ((e: BlobEvent) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  timeslice = 0;
  #onStop: (() => void)[] = [];
  constructor(readonly last: Uint8Array) {}
  start(timesliceMs: number) {
    this.timeslice = timesliceMs;
    this.state = "recording";
  }
  emit(bytes: Uint8Array) {
    this.ondataavailable?.({ data: new Blob([bytes as Uint8Array<ArrayBuffer>]) } as BlobEvent);
  }
  pause() {
    this.state = "paused";
  }
  resume() {
    this.state = "recording";
  }
  stop() {
    this.state = "inactive";
    // As a browser does: the last chunk, then "stop", after the call returns.
    setTimeout(() => {
      this.emit(this.last);
      for (const f of this.#onStop.splice(0)) f();
    }, 20);
  }
  addEventListener(_type: "stop", listener: () => void) {
    this.#onStop.push(listener);
  }
}

async function newSession(chunks: Uint8Array[]) {
  const server = await startTestServer();
  const rec = await newStoredRecording(server);
  const up = new Uploader(rec, new MemoryStore(), () => {});
  up.start();
  let clock = 1_000_000;
  const phases: SessionPhase[] = [];
  const source = new FakeRecorder(chunks.at(-1)!);
  const session = new RecordingSession(rec, up, source, (p) => phases.push(p), () => clock);
  return {
    server,
    rec,
    source,
    session,
    phases,
    tick: (ms: number) => (clock += ms),
  };
}

Deno.test("record, pause, resume, stop: every chunk in order on the server, pauses not counted", async () => {
  const bytes = await Deno.readFile(await makeWebm(8, 2000));
  const chunks = splitEvenly(bytes, 5);
  const t = await newSession(chunks);
  await using _server = t.server;
  t.session.begin(3000);
  assert.equal(t.source.timeslice, 3000);
  t.source.emit(chunks[0]);
  t.tick(3000);
  t.source.emit(chunks[1]);
  t.session.togglePause();
  t.tick(60_000); // a minute away from the keyboard
  assert.equal(t.session.elapsedMs(), 3000);
  t.session.togglePause();
  t.tick(3000);
  t.source.emit(chunks[2]);
  t.tick(1000);
  t.source.emit(chunks[3]);
  let released = 0;
  const stopping = t.session.stop(() => released++);
  assert.equal(t.session.stop(), stopping, "a second stop waits for the first");
  await stopping;
  assert.ok(released >= 1, "the capture was released");
  assert.deepEqual(t.phases, ["recording", "paused", "recording", "finishing", "done"]);
  assert.equal(t.rec.durationMs, 7000);
  assert.equal(t.rec.lastSeq, 4, "the last chunk, which came after stop(), was sent too");
  const stored = await readObject(t.server.services.storage, originalKey(t.rec.id));
  assert.equal(sha256(stored), sha256(bytes));
});

Deno.test("cancel stops the encoder and the upload; a stop after it does nothing", async () => {
  const bytes = await Deno.readFile(await makeWebm(4, 400));
  const chunks = splitEvenly(bytes, 2);
  const t = await newSession(chunks);
  await using _server = t.server;
  t.session.begin(3000);
  t.source.emit(chunks[0]);
  let released = 0;
  await t.session.cancel(() => released++);
  assert.equal(t.source.state, "inactive");
  assert.ok(released >= 1);
  await t.session.stop();
  assert.deepEqual(t.phases, ["recording", "cancelled"]);
  const [row] = await t.server.services.db.sql`SELECT status FROM videos WHERE id = ${t.rec.id}`;
  assert.equal(row.status, "recording", "the session gives up; the caller discards the video");
});
