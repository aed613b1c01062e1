/** The embedded PostgreSQL: PGlite on disk, served over a loopback socket. */
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

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
