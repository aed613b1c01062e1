/** Small helpers shared by the tests. */
import type { Storage } from "../lib/storage/s3.ts";
import { createRecording, IngestClient, sendChunks } from "../lib/ingest/client.ts";
import { splitEvenly } from "./media.ts";

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  fn: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** GET a video's JSON. */
export async function getVideoJson(baseUrl: string, id: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${baseUrl}/api/videos/${id}`);
  if (!res.ok) throw new Error(`GET video ${id}: ${res.status} ${await res.text()}`);
  return await res.json();
}

/** Waits until a video reaches `status`. */
export function waitForStatus(baseUrl: string, id: string, status: string, timeoutMs = 60_000) {
  return waitFor(
    async () => {
      const v = await getVideoJson(baseUrl, id);
      if (v.status === "failed" && status !== "failed") {
        throw new Error(`video ${id} failed: ${v.error}`);
      }
      return v.status === status ? v : null;
    },
    timeoutMs,
    `video ${id} to be ${status}`,
  );
}

/** Reads a whole object from storage. */
export async function readObject(storage: Storage, key: string): Promise<Uint8Array> {
  const obj = await storage.get(key);
  return new Uint8Array(await new Response(obj.body).arrayBuffer());
}

/** The key of a recording's original upload. */
export function originalKey(id: string, ext = "webm"): string {
  return `videos/${id}/original.${ext}`;
}

/**
 * Streams a recording file through the ingest protocol in 3-second-like chunks, as the recorder
 * does, and finishes it, as the person whose session `server.cookie` is. Returns the video's id
 * and upload token.
 */
export async function uploadRecording(
  server: { url: string; cookie: string },
  path: string,
  opts: { title?: string; mimeType?: string; chunks?: number } = {},
): Promise<{ id: string; uploadToken: string }> {
  const bytes = await Deno.readFile(path);
  const rec = await createRecording(server.url, {
    title: opts.title,
    mimeType: opts.mimeType ?? "video/webm;codecs=vp8,opus",
  }, server);
  const client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
  const chunks = splitEvenly(bytes, opts.chunks ?? 6);
  await sendChunks(client, chunks);
  const done = await client.finish(chunks.length - 1, 10_000);
  if (done.type !== "done") throw new Error(`finish failed: ${JSON.stringify(done)}`);
  return { id: rec.id, uploadToken: rec.uploadToken };
}

/** Waits until a video's guide reaches `status` ("done", "failed"…); returns the video JSON. */
export function waitForDoc(baseUrl: string, id: string, status: string, timeoutMs = 120_000) {
  return waitFor(
    async () => {
      const v = await getVideoJson(baseUrl, id);
      const doc = v.doc as { status: string; error: string | null };
      if (doc.status === "failed" && status !== "failed") {
        throw new Error(`the guide of ${id} failed: ${doc.error}`);
      }
      return doc.status === status ? v : null;
    },
    timeoutMs,
    `the guide of ${id} to be ${status}`,
  );
}

/** Waits until a video's MP4 rendition reaches `status` ("done", "failed"…); returns the video JSON. */
export function waitForRendition(baseUrl: string, id: string, status: string, timeoutMs = 120_000) {
  return waitFor(
    async () => {
      const v = await getVideoJson(baseUrl, id);
      const r = v.rendition as { status: string | null; error: string | null };
      if (r.status === "failed" && status !== "failed") {
        throw new Error(`the rendition of ${id} failed: ${r.error}`);
      }
      return r.status === status ? v : null;
    },
    timeoutMs,
    `the rendition of ${id} to be ${status}`,
  );
}

/** Resolves as `promise` does, or fails with "timed out waiting for `what`" after `timeoutMs`. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) =>
        timer = setTimeout(
          () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
          timeoutMs,
        )
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
