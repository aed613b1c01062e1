/** VideoFlow: `deno task start`. Reads the configuration, opens everything, serves. */
import { ConfigError, loadConfig } from "./lib/config.ts";
import { locateTools } from "./lib/ffmpeg_locate.ts";
import { DataDirBusyError } from "./lib/datadir_lock.ts";
import { startServer } from "./server.ts";

if (import.meta.main) {
  try {
    const config = loadConfig();
    // Found once: the server's own look-up gets the same answer.
    const tools = await locateTools(config);
    const server = await startServer(config, {
      onListen: ({ port }) => {
        const db = config.databaseUrl ? "PostgreSQL" : "embedded PGlite";
        const s3 = config.s3 ? config.s3.endpoint : "embedded S3";
        console.log(
          `VideoFlow on http://localhost:${port} (${db}, ${s3}, data in ${config.dataDir}; ` +
            `${tools.description})`,
        );
      },
    });
    const stop = async () => {
      await server.close();
      Deno.exit(0);
    };
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DataDirBusyError) {
      console.error(err.message);
      Deno.exit(1);
    }
    throw err;
  }
}
