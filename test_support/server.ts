/** Test servers: in-process for most tests, as a child process where a test kills it. */
import { join } from "node:path";
import { type Config, loadConfig } from "../lib/config.ts";
import { type RunningServer, startServer } from "../lib/server.ts";
import { createTestDatabase, type TestDatabase } from "./db.ts";

/** An in-process server on a fresh database and a fresh data directory (embedded S3). */
export interface TestServer extends RunningServer {
  config: Config;
  database: TestDatabase;
  dataDir: string;
  /** Stops the server and removes its database and files. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts a server on a random port; `env` overrides configuration variables. */
export async function startTestServer(
  env: Record<string, string> = {},
  opts: { jobs?: boolean; reapIntervalMs?: number } = {},
): Promise<TestServer> {
  const database = await createTestDatabase();
  const dataDir = await Deno.makeTempDir({ prefix: "videoflow-test-" });
  const config = loadConfig({ DATABASE_URL: database.url, DATA_DIR: dataDir, PORT: "0", ...env });
  const server = await startServer(config, {
    hostname: "127.0.0.1",
    jobs: opts.jobs,
    jobOptions: { pollMs: 100, reapIntervalMs: opts.reapIntervalMs },
  });
  return {
    ...server,
    config,
    database,
    dataDir,
    async [Symbol.asyncDispose]() {
      await server.close();
      await database.drop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

/** A free TCP port on loopback. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/**
 * The environment for a child process: only what Deno itself needs plus `vars`, so that
 * configuration of the test process (such as `DATABASE_URL` in CI) does not leak into it.
 */
export function childEnv(vars: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR", "TMPDIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...vars };
}

/** `main.ts` running in a child process. */
export class ChildServer {
  #child: Deno.ChildProcess | null = null;
  readonly url: string;

  constructor(readonly env: Record<string, string>, readonly port = freePort()) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts the process and waits until `/healthz` answers 200. */
  async start(timeoutMs = 60_000): Promise<void> {
    const main = new URL("../main.ts", import.meta.url).pathname;
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", main],
      env: childEnv({ ...this.env, PORT: String(this.port) }),
      clearEnv: true,
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`${this.url}/healthz`);
        await res.body?.cancel();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error("the server did not start in time");
  }

  /** Kills the process with SIGKILL, as a crash would. */
  async kill(): Promise<void> {
    if (!this.#child) return;
    this.#child.kill("SIGKILL");
    await this.#child.status;
    this.#child = null;
  }

  /** Stops the process with SIGTERM. */
  async stop(): Promise<void> {
    if (!this.#child) return;
    this.#child.kill("SIGTERM");
    await this.#child.status;
    this.#child = null;
  }
}

/** A data directory path inside `dir`. */
export function dataDirIn(dir: string): string {
  return join(dir, "data");
}
