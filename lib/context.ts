/** What the routes and jobs share: configuration, database, storage and the ingest sessions. */
import type { Config } from "./config.ts";
import type { Database } from "./db/mod.ts";
import type { Storage } from "./storage/s3.ts";
import type { Playback } from "./storage/playback.ts";
import type { IngestRegistry } from "./ingest/registry.ts";
import type { AssetManifest } from "./assets/build.ts";
import type { Rooms } from "./collab/rooms.ts";
import type { RateLimiter } from "./rate_limit.ts";

/** The services of one running app. */
export interface AppContext {
  config: Config;
  db: Database;
  storage: Storage;
  playback: Playback;
  ingest: IngestRegistry;
  /** The live annotation documents this process has loaded. */
  rooms: Rooms;
  /** The browser bundles and stylesheet this process serves. */
  assets: AssetManifest;
  /** Per-client limits on starting recordings and opening sockets. */
  limits: { recordings: RateLimiter; sockets: RateLimiter };
}
