/** The recorder's browser storage (IndexedDB), in memory, for Deno tests of the uploader. */
import type { StoredRecording, UploadStore } from "../islands/recorder/store.ts";
import { createRecording } from "../lib/ingest/client.ts";

/** The browser's IndexedDB, in memory. */
export class MemoryStore implements UploadStore {
  chunks = new Map<number, Blob>();
  dropped = -1;
  deleted = false;
  putChunk(_rec: StoredRecording, seq: number, data: Blob) {
    this.chunks.set(seq, data);
    return Promise.resolve();
  }
  getChunk(_id: string, seq: number) {
    return Promise.resolve(this.chunks.get(seq) ?? null);
  }
  dropChunksUpTo(_id: string, seq: number) {
    for (const k of [...this.chunks.keys()]) if (k <= seq) this.chunks.delete(k);
    this.dropped = Math.max(this.dropped, seq);
    return Promise.resolve();
  }
  saveRecording() {
    return Promise.resolve();
  }
  deleteRecording() {
    this.deleted = true;
    this.chunks.clear();
    return Promise.resolve();
  }
}

/** Starts a recording on `server` as the recorder page does, and its record in browser storage. */
export async function newStoredRecording(
  server: { url: string; cookie: string },
  durationMs = 0,
): Promise<StoredRecording> {
  const created = await createRecording(server.url, {
    mimeType: "video/webm;codecs=vp8,opus",
  }, server);
  return {
    id: created.id,
    token: created.uploadToken,
    ingestUrl: created.ingestUrl,
    title: null,
    lastSeq: -1,
    durationMs,
    startedAt: Date.now(),
  };
}
