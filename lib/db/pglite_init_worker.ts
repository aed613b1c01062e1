/**
 * Worker that creates a new PGlite database directory. Run once, then terminated: initdb leaves
 * about 400 MiB of WebAssembly memory behind, which only ending its thread gives back.
 */
import { PGlite } from "@electric-sql/pglite";

/** Minimal view of the worker global this file runs in. */
const worker = self as unknown as {
  onmessage: ((e: MessageEvent<string>) => void) | null;
  postMessage(msg: unknown): void;
};

worker.onmessage = async (e: MessageEvent<string>) => {
  try {
    const db = await PGlite.create(e.data);
    await db.close();
    worker.postMessage({ ok: true });
  } catch (err) {
    worker.postMessage({ ok: false, error: String(err) });
  }
};
