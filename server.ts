/** Starts a whole VideoFlow server: services, HTTP, and (optionally) in-process jobs. */
import type { Config } from "./lib/config.ts";
import { openServices, type Services } from "./lib/services.ts";
import { createApp } from "./app.ts";
import { type VideoJobOptions, videoJobRunner } from "./workers/jobs.ts";
import type { JobRunner } from "./lib/jobs/runner.ts";
import { type LocatedTools, locateTools } from "./lib/ffmpeg_locate.ts";

/** A running server. */
export interface RunningServer {
  services: Services;
  port: number;
  url: string;
  jobs: JobRunner | null;
  /** The ffmpeg and ffprobe the jobs run, and where they were found. */
  tools: LocatedTools;
  close(): Promise<void>;
}

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** Run the job runner in this process (what `deno task start` does). */
  jobs?: boolean;
  /** Job runner tuning, for tests. */
  jobOptions?: VideoJobOptions;
  hostname?: string;
  onListen?: (addr: Deno.NetAddr) => void;
}

/** Opens the services and serves the app on `config.port` (0: a free port). */
export async function startServer(
  config: Config,
  opts: ServerOptions = {},
): Promise<RunningServer> {
  // Before anything opens: a missing tool stops the start with one line.
  const tools = await locateTools(config);
  const services = await openServices(config);
  const app = createApp(services);
  const jobs = opts.jobs === false ? null : videoJobRunner(
    config,
    tools,
    services.db.sql,
    services.storage,
    services.rooms,
    opts.jobOptions,
  );
  jobs?.start();
  const server = Deno.serve({
    port: config.port,
    hostname: opts.hostname ?? "0.0.0.0",
    onListen: opts.onListen ?? (() => {}),
  }, app.fetch);
  const port = server.addr.port;
  return {
    services,
    port,
    url: `http://127.0.0.1:${port}`,
    jobs,
    tools,
    async close() {
      await server.shutdown();
      await jobs?.stop();
      await services.close();
    },
  };
}
