/** The embedded PostgreSQL: PGlite on disk, served over a loopback socket. */
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { join } from "node:path";

/** Runs initdb in a short-lived worker, so the memory it leaves behind goes with the thread. */
async function initInWorker(dir: string): Promise<void> {
  const worker = new Worker(new URL("./pglite_init_worker.ts", import.meta.url), {
    type: "module",
  });
  try {
    const answer = await new Promise<{ ok: boolean; error?: string }>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(e.message));
      };
      worker.postMessage(dir);
    });
    if (!answer.ok) throw new Error(`creating the embedded database in ${dir}: ${answer.error}`);
  } finally {
    worker.terminate();
  }
}

/** A running embedded server. */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Opens (or creates) the PGlite database in `dir` and serves it on a random loopback port.
 * The caller must hold the data directory lock: PGlite's own pid file is not one.
 */
export async function startEmbeddedPostgres(dir: string): Promise<EmbeddedPostgres> {
  await Deno.mkdir(dir, { recursive: true });
  const exists = await Deno.stat(join(dir, "PG_VERSION")).then(() => true, () => false);
  if (!exists) await initInWorker(dir);
  const db = await PGlite.create(dir);
  // Two connections at least, so a client that reconnects is not refused while the old one closes.
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 4 });
  await server.start();
  const conn = server.getServerConn();
  return {
    url: `postgres://postgres@${conn}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
