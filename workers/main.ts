/** `deno task worker`: runs background jobs in a process of its own. */
import { ConfigError, loadConfig } from "../lib/config.ts";
import { locateTools } from "../lib/ffmpeg_locate.ts";
import { openServices } from "../lib/services.ts";
import { videoJobRunner } from "./jobs.ts";

if (import.meta.main) {
  try {
    const config = loadConfig();
    const services = await openServices(config, { role: "worker" });
    const tools = await locateTools(config).catch(async (err) => {
      await services.close();
      throw err;
    });
    const runner = videoJobRunner(
      config,
      tools,
      services.db.sql,
      services.storage,
      services.rooms,
      { concurrency: config.workerConcurrency, leaseS: config.jobLeaseS, kinds: config.workerJobs },
    );
    runner.start();
    console.log(
      `VideoFlow worker ${runner.workerId} running ${config.workerConcurrency} job loops for ${
        config.workerJobs.join(", ")
      }; ${tools.description}`,
    );
    const stop = async () => {
      await runner.stop();
      await services.close();
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
