/** Test servers: in-process for most tests, as a child process where a test kills it. */
import { type Config, loadConfig } from "../lib/config.ts";
import { type RunningServer, startServer } from "../server.ts";
import { type VideoJobOptions, videoJobRunner } from "../workers/jobs.ts";
import type { JobRunner } from "../lib/jobs/runner.ts";
import type { Tools } from "../lib/ffmpeg.ts";
import { signIn } from "../lib/ingest/client.ts";
import { createTestDatabase, type TestDatabase } from "./db.ts";

/** An in-process server on a fresh database and a fresh data directory (embedded S3). */
export interface TestServer extends RunningServer {
  config: Config;
  /** The session cookie of the account the tests record as (`vf_session=…`). */
  cookie: string;
  database: TestDatabase;
  dataDir: string;
  /** Stops the server and removes its database and files. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The account test servers sign in as. */
export const TEST_ACCOUNT = {
  email: "tester@example.com",
  password: "a long test password",
  name: "Tester",
};

/**
 * Starts a server on a random port, signed in as {@link TEST_ACCOUNT}; `env` overrides configuration
 * variables. Renditions are off unless `env` turns them on (`RENDITIONS: "true"`): an H.264 encode
 * after every upload would slow the whole suite, and their own tests cover them.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  opts: {
    jobs?: boolean;
    reapIntervalMs?: number;
    database?: TestDatabase;
    jobOptions?: VideoJobOptions;
  } = {},
): Promise<TestServer> {
  // A database passed in belongs to the caller, who drops it; a new one is dropped here.
  const ownDatabase = !opts.database;
  const database = opts.database ?? await createTestDatabase();
  const dataDir = await Deno.makeTempDir({ prefix: "videoflow-test-" });
  const config = loadConfig({
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    PORT: "0",
    RENDITIONS: "false",
    ...env,
  });
  const server = await startServer(config, {
    hostname: "127.0.0.1",
    jobs: opts.jobs,
    jobOptions: { pollMs: 100, reapIntervalMs: opts.reapIntervalMs, ...opts.jobOptions },
  });
  const { cookie } = await signIn(server.url, TEST_ACCOUNT);
  return {
    ...server,
    cookie,
    config,
    database,
    dataDir,
    async [Symbol.asyncDispose]() {
      await server.close();
      if (ownDatabase) await database.drop();
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

/**
 * `main.ts` running in a child process. `deno run` does not fork, so `pid` is the process that
 * serves (the benchmark reads its memory from `/proc`).
 */
export class ChildServer {
  #child: Deno.ChildProcess | null = null;
  #pipesDone: Promise<unknown> = Promise.resolve();
  readonly port: number;
  readonly url: string;

  /**
   * @param env configuration variables; nothing else of this process's environment is inherited
   * @param opts.stderrPath a file to append the server's stderr to (default: this process's stderr)
   * @param opts.stdoutPath a file to append the server's stdout to, such as its start line
   *   (default: discarded)
   */
  constructor(
    readonly env: Record<string, string>,
    readonly opts: { port?: number; stderrPath?: string; stdoutPath?: string } = {},
  ) {
    this.port = opts.port ?? freePort();
    this.url = `http://127.0.0.1:${this.port}`;
  }

  /** The pid of the serving process. */
  get pid(): number {
    if (!this.#child) throw new Error("the server is not running");
    return this.#child.pid;
  }

  /** Starts the process and waits until `/healthz` answers 200. */
  async start(timeoutMs = 60_000): Promise<void> {
    const main = new URL("../main.ts", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", main],
      env: childEnv({ ...this.env, PORT: String(this.port) }),
      clearEnv: true,
      stdin: "null",
      stdout: this.opts.stdoutPath ? "piped" : "null",
      stderr: this.opts.stderrPath ? "piped" : "inherit",
    }).spawn();
    this.#child = child;
    // Chunk by chunk: through `pipeTo(file.writable)` nothing reached the file until the end.
    const append = async (stream: ReadableStream<Uint8Array>, path: string) => {
      using log = await Deno.open(path, { write: true, create: true, append: true });
      try {
        for await (const chunk of stream) {
          for (let done = 0; done < chunk.length;) done += await log.write(chunk.subarray(done));
        }
      } catch {
        // the process was killed mid-write
      }
    };
    this.#pipesDone = Promise.all([
      this.opts.stderrPath ? append(child.stderr, this.opts.stderrPath) : null,
      this.opts.stdoutPath ? append(child.stdout, this.opts.stdoutPath) : null,
    ]);
    let exited = false;
    child.status.then(() => exited = true);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !exited) {
      try {
        const res = await fetch(`${this.url}/healthz`);
        await res.body?.cancel();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    await this.kill();
    throw new Error(exited ? "the server exited at start" : "the server did not start in time");
  }

  /** Kills the process with SIGKILL, as a crash would. */
  async kill(): Promise<void> {
    await this.#end("SIGKILL");
  }

  /** Stops the process with SIGTERM. */
  async stop(): Promise<void> {
    await this.#end("SIGTERM");
  }

  async #end(signal: Deno.Signal): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = null;
    try {
      child.kill(signal);
    } catch {
      // already exited
    }
    await child.status;
    await this.#pipesDone;
  }
}

/**
 * A job runner of `kinds` beside a test server (whose own runner was told to leave them), polling
 * every 100 ms, not started yet; `tools` overrides its ffmpeg (a missing one, say).
 */
export function jobRunnerFor(
  server: TestServer,
  kinds: string[],
  tools: Partial<Tools> = {},
): JobRunner & AsyncDisposable {
  const runner = videoJobRunner(
    server.config,
    { ...server.tools, ...tools },
    server.services.db.sql,
    server.services.storage,
    server.services.rooms,
    { kinds, pollMs: 100 },
  );
  return Object.assign(runner, { [Symbol.asyncDispose]: () => runner.stop() });
}

/** {@link jobRunnerFor}, started. Dispose of it to stop it. */
export function startJobs(
  server: TestServer,
  kinds: string[],
  tools: Partial<Tools> = {},
): JobRunner & AsyncDisposable {
  const runner = jobRunnerFor(server, kinds, tools);
  runner.start();
  return runner;
}
