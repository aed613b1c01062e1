/**
 * Opens everything a VideoFlow process runs on. The web process (`deno task start`): the data
 * directory lock, the database (real or embedded), the storage (real or embedded), the playback
 * signer, the ingest sessions, the live documents and the browser assets. A worker process
 * (`deno task worker`): the shared database and S3 and the live documents its jobs write to.
 */
import { join, resolve } from "node:path";
import { type Config, ConfigError } from "./config.ts";
import type { Database } from "./db/mod.ts";
import type { AppContext } from "./context.ts";
import { lockDataDir } from "./datadir_lock.ts";
import { openDatabase } from "./db/mod.ts";
import { startEmbeddedS3 } from "./storage/embedded.ts";
import { Storage } from "./storage/s3.ts";
import { mediaSigningKey, Playback } from "./storage/playback.ts";
import { IngestRegistry } from "./ingest/registry.ts";
import { buildAssets } from "./assets/build.ts";
import { Rooms } from "./collab/rooms.ts";
import { RateLimiter } from "./rate_limit.ts";

/** The services of a web process, with a way to close them in order. */
export interface Services extends AppContext {
  close(): Promise<void>;
}

/** The services of a worker process: what the jobs touch, nothing that serves requests. */
export interface WorkerServices {
  config: Config;
  db: Database;
  storage: Storage;
  /** The live documents the guide writes its steps through; web processes pick them up. */
  rooms: Rooms;
  close(): Promise<void>;
}

/** Which process the services are for. */
export type ServiceRole = "web" | "worker";

/**
 * Opens the services of a process in `role` ("web" by default); on failure, closes what was
 * opened and rethrows. Closing goes in the reverse order of opening.
 *
 * @example
 * ```ts
 * const services = await openServices(loadConfig(), { role: "worker" });
 * try { … } finally { await services.close(); }
 * ```
 */
export function openServices(config: Config, opts?: { role: "web" }): Promise<Services>;
export function openServices(config: Config, opts: { role: "worker" }): Promise<WorkerServices>;
export function openServices(
  config: Config,
  opts: { role: ServiceRole } = { role: "web" },
): Promise<Services | WorkerServices> {
  return opts.role === "worker" ? openWorker(config) : openWeb(config);
}

async function openWorker(config: Config): Promise<WorkerServices> {
  if (!config.databaseUrl || !config.s3) {
    throw new ConfigError(
      "deno task worker needs DATABASE_URL and S3_ENDPOINT: with the embedded defaults, jobs run inside deno task start",
    );
  }
  const db = await openDatabase(config);
  const rooms = new Rooms(db.sql);
  rooms.start();
  return {
    config,
    db,
    storage: new Storage(config.s3),
    rooms,
    async close() {
      await rooms.close();
      await db.close();
    },
  };
}

async function openWeb(config: Config): Promise<Services> {
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close();
  };
  try {
    const dataDir = resolve(config.dataDir);
    closers.push(await lockDataDir(dataDir));
    const db = await openDatabase(config);
    closers.push(() => db.close());

    let storage: Storage;
    let signingKey: string | null = null;
    if (config.s3) {
      storage = new Storage(config.s3, config.s3.publicEndpoint);
    } else {
      const origins = [config.publicUrl ?? `http://localhost:${config.port}`, "*"];
      const embedded = await startEmbeddedS3(join(dataDir, "s3"), config.bucket, origins);
      closers.push(() => embedded.stop());
      storage = new Storage(embedded.endpoint);
      // The embedded S3 listens on a private loopback port: playback goes through the app.
      signingKey = await mediaSigningKey(db.sql);
    }

    const spoolDir = join(dataDir, "spool");
    // Open parts of an earlier run are not durable; their clients resend them.
    await Deno.remove(spoolDir, { recursive: true }).catch(() => {});
    await Deno.mkdir(spoolDir, { recursive: true });
    const ingest = new IngestRegistry({
      sql: db.sql,
      storage,
      spoolDir,
      partBytes: config.ingestPartBytes,
      maxChunkBytes: config.ingestMaxChunkBytes,
      maxVideoBytes: config.maxVideoBytes,
      resumeWindowS: config.recordingResumeWindowS,
    });
    closers.push(() => ingest.close());
    ingest.start();

    const rooms = new Rooms(db.sql);
    closers.push(() => rooms.close());
    rooms.start();

    // Built at every start, so the served bundles always match the code.
    const assets = await buildAssets();

    return {
      config,
      db,
      assets,
      rooms,
      storage,
      playback: new Playback(storage, config.playbackUrlTtlS, signingKey),
      ingest,
      limits: {
        recordings: new RateLimiter(config.recordingsPerMinute),
        sockets: new RateLimiter(config.socketsPerMinute),
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll().catch(() => {});
    throw err;
  }
}
