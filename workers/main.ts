/** `deno task worker`: runs background jobs in a process of its own. */
import { checkTools, ConfigError, loadConfig } from "../lib/config.ts";
import { openDatabase } from "../lib/db/mod.ts";
import { Storage } from "../lib/storage/s3.ts";
import { videoJobRunner } from "./jobs.ts";

if (import.meta.main) {
  try {
    const config = loadConfig();
    if (!config.databaseUrl || !config.s3) {
      throw new ConfigError(
        "deno task worker needs DATABASE_URL and S3_ENDPOINT: with the embedded defaults, jobs run inside deno task start",
      );
    }
    await checkTools(config);
    const db = await openDatabase(config);
    const storage = new Storage(config.s3);
    const concurrency = Number(Deno.env.get("WORKER_CONCURRENCY") ?? 2) || 2;
    const runner = videoJobRunner(config, db.sql, storage, { concurrency });
    runner.start();
    console.log(`VideoFlow worker ${runner.workerId} running ${concurrency} job loops`);
    const stop = async () => {
      await runner.stop();
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
