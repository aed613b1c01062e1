/**
 * Several processes on one S3: an S3 server of the test's own (the embedded one of `deno task
 * start` is private to its process) and `deno task worker` processes beside the app.
 */
import { startEmbeddedS3 } from "../lib/storage/embedded.ts";
import type { S3Endpoint } from "../lib/storage/s3.ts";
import { childEnv } from "./server.ts";

/** A running S3 server, its endpoint, and the configuration variables that point at it. */
export interface SharedS3 {
  endpoint: S3Endpoint;
  env: Record<string, string>;
  /** A directory beside the S3 data, removed with it. */
  dir: string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts an S3 server on a free port, storing in a fresh temporary directory. */
export async function startSharedS3(): Promise<SharedS3> {
  const dir = await Deno.makeTempDir({ prefix: "videoflow-s3-" });
  const s3 = await startEmbeddedS3(`${dir}/s3`, "videoflow", ["*"]);
  return {
    endpoint: s3.endpoint,
    dir,
    env: {
      S3_ENDPOINT: s3.endpoint.endpoint,
      S3_ACCESS_KEY_ID: s3.endpoint.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.endpoint.secretAccessKey,
    },
    async [Symbol.asyncDispose]() {
      await s3.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Starts `deno task worker` with `env` (and nothing else from this process's environment). */
export function spawnWorker(
  env: Record<string, string>,
  stdout: "null" | "piped" = "null",
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../workers/main.ts", import.meta.url).pathname],
    env: childEnv(env),
    clearEnv: true,
    stdout,
    stderr: "inherit",
  }).spawn();
}

/** Stops worker processes (SIGTERM, waiting for each); ones already gone are skipped. */
export async function stopWorkers(workers: Deno.ChildProcess[]): Promise<void> {
  for (const w of workers.splice(0)) {
    try {
      w.kill("SIGTERM");
    } catch { /* already exited */ }
    await w.status;
  }
}
