/** `deno task worker`: runs background jobs in a process of its own. */
import { ConfigError, loadConfig } from "../lib/config.ts";
import { locateTools } from "../lib/ffmpeg_locate.ts";
import { openDatabase } from "../lib/db/mod.ts";
import { Storage } from "../lib/storage/s3.ts";
import { Rooms } from "../lib/collab/rooms.ts";
import { JOB_KINDS, videoJobRunner } from "./jobs.ts";

if (import.meta.main) {
  try {
    const config = loadConfig();
    if (!config.databaseUrl || !config.s3) {
      throw new ConfigError(
        "deno task worker needs DATABASE_URL and S3_ENDPOINT: with the embedded defaults, jobs run inside deno task start",
      );
    }
    const tools = await locateTools(config);
    const db = await openDatabase(config);
    const storage = new Storage(config.s3);
    const concurrency = Number(Deno.env.get("WORKER_CONCURRENCY") ?? 2) || 2;
    const leaseS = Number(Deno.env.get("JOB_LEASE_S") ?? 60) || 60;
    const kinds = workerKinds(Deno.env.get("WORKER_JOBS"));
    // Auto-doc writes steps through the videos' documents; the app's processes pick them up.
    const rooms = new Rooms(db.sql);
    rooms.start();
    const runner = videoJobRunner(config, tools, db.sql, storage, rooms, {
      concurrency,
      leaseS,
      kinds,
    });
    runner.start();
    console.log(
      `VideoFlow worker ${runner.workerId} running ${concurrency} job loops for ${
        kinds.join(", ")
      }; video tools: ${tools.description}`,
    );
    const stop = async () => {
      await runner.stop();
      await rooms.close();
      await db.close();
      Deno.exit(0);
    };
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      Deno.exit(1);
    }
    throw err;
  }
}

/** The job kinds named in `WORKER_JOBS` (comma-separated), all when unset. */
function workerKinds(raw: string | undefined): readonly string[] {
  if (!raw?.trim()) return JOB_KINDS;
  const kinds = raw.split(",").map((k) => k.trim()).filter(Boolean);
  const unknown = kinds.filter((k) => !(JOB_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new ConfigError(
      `WORKER_JOBS=${raw} names unknown jobs (${unknown.join(", ")}): use ${JOB_KINDS.join(", ")}`,
    );
  }
  return kinds;
}
