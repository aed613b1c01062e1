/**
 * Opens everything a VideoFlow process runs on: the data directory lock, the database (real or
 * embedded), the storage (real or embedded), the playback signer and the ingest sessions.
 */
import { join, resolve } from "node:path";
import type { Config } from "./config.ts";
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

/** The services of a process, with a way to close them in order. */
export interface Services extends AppContext {
  close(): Promise<void>;
}

/** Opens the services; on failure, closes what was opened and rethrows. */
export async function openServices(config: Config): Promise<Services> {
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
