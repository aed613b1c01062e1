/**
 * Child processes for benchmarks (the app and the S3 server) and what `/proc` says about them:
 * resident memory and CPU time. Linux only.
 */

const MiB = 1024 * 1024;

/** Resident set size (`VmRSS`) of a process in bytes. */
export function readRssBytes(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const m = status.match(/^VmRSS:\s+(\d+)\s+kB$/m);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** The pids of a process's children (all threads), from `/proc`. */
function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      const text = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/children`).trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // gone meanwhile
  }
  return out;
}

/** Resident memory of a process and all its descendants (a worker and its ffmpeg), in bytes. */
export function readTreeRssBytes(pid: number): number {
  let total = 0;
  for (const child of childPids(pid)) {
    try {
      total += readTreeRssBytes(child);
    } catch {
      // exited between the listing and the read
    }
  }
  return total + readRssBytes(pid);
}

let clockTicks: number | null = null;

/** Clock ticks per second, the unit of CPU times in `/proc/<pid>/stat`. */
async function ticksPerSecond(): Promise<number> {
  if (clockTicks !== null) return clockTicks;
  try {
    const out = await new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).output();
    const n = Number(new TextDecoder().decode(out.stdout).trim());
    clockTicks = Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    clockTicks = 100; // the value on every mainstream Linux
  }
  return clockTicks;
}

/** User + system CPU seconds used so far by a process (all its threads, not its children). */
export async function readCpuSeconds(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  // The command name (field 2) may hold spaces and parentheses: split after its closing one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 (utime) and 15 (stime), counted from field 3 here.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / await ticksPerSecond();
}

/** CPU time of the whole machine so far, in clock ticks summed over all cores (`/proc/stat`). */
export interface MachineCpu {
  busy: number;
  total: number;
}

/** Reads the machine's CPU counters; compare two readings with {@link busyShare}. */
export async function readMachineCpu(): Promise<MachineCpu> {
  const first = (await Deno.readTextFile("/proc/stat")).split("\n")[0];
  // cpu user nice system idle iowait irq softirq steal ...
  const v = first.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - v[3] - v[4], total };
}

/** Share of all cores' time that was busy between two readings, 0..1. */
export function busyShare(a: MachineCpu, b: MachineCpu): number {
  const total = b.total - a.total;
  return total > 0 ? (b.busy - a.busy) / total : 0;
}

/** Samples a process's RSS at a fixed interval and keeps the peak. */
export class RssSampler {
  readonly before: number;
  #peak: number;
  #samples = 0;
  #timer: ReturnType<typeof setInterval>;

  /** Reads the RSS now (the "before" figure) and starts sampling every `intervalMs`. */
  constructor(
    readonly pid: number,
    intervalMs = 100,
    readonly read: (pid: number) => number = readRssBytes,
  ) {
    this.before = read(pid);
    this.#peak = this.before;
    this.#timer = setInterval(() => this.#sample(), intervalMs);
  }

  #sample(): void {
    try {
      this.#peak = Math.max(this.#peak, this.read(this.pid));
      this.#samples++;
    } catch {
      // the process is gone; the scenario will fail on its own
    }
  }

  /** Takes a last sample, stops, and returns the figures. */
  stop(): { before: number; peak: number; samples: number } {
    clearInterval(this.#timer);
    this.#sample();
    return { before: this.before, peak: this.#peak, samples: this.#samples };
  }
}

/** Waits for a child's exit, killing it with SIGKILL if SIGTERM was not enough in `graceMs`. */
async function terminate(child: Deno.ChildProcess, graceMs: number): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    return; // already exited
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const exited = await Promise.race([
    child.status.then(() => true),
    new Promise<false>((r) => timer = setTimeout(() => r(false), graceMs)),
  ]);
  clearTimeout(timer);
  if (!exited) {
    try {
      child.kill("SIGKILL");
    } catch {
      // exited in between
    }
    await child.status;
  }
}

/** `bench/s3_server.ts` in a child process. */
export class S3Process {
  #child: Deno.ChildProcess | null = null;
  #stdin: WritableStreamDefaultWriter<Uint8Array> | null = null;
  /** Set once started. */
  port = 0;

  constructor(readonly dir: string, readonly bucket: string) {}

  /** The pid of the server process. */
  get pid(): number {
    if (!this.#child) throw new Error("the S3 server is not running");
    return this.#child.pid;
  }

  /** The endpoint URL. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the server and reads its port from the first line of its stdout. */
  async start(timeoutMs = 60_000): Promise<void> {
    const script = new URL("./s3_server.ts", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, this.dir, this.bucket],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#child = child;
    // Kept open: the server exits when this pipe closes.
    this.#stdin = child.stdin.getWriter();
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("the S3 server did not start in time")), timeoutMs);
    });
    try {
      let text = "";
      while (!text.includes("\n")) {
        const { value, done } = await Promise.race([lines.read(), timeout]);
        if (done) throw new Error("the S3 server exited before printing its port");
        text += value;
      }
      const parsed: unknown = JSON.parse(text.slice(0, text.indexOf("\n")));
      const port = (parsed as { port?: unknown }).port;
      if (typeof port !== "number") throw new Error(`unexpected S3 server output: ${text}`);
      this.port = port;
    } catch (err) {
      await this.stop();
      throw err;
    } finally {
      clearTimeout(timer);
      // Nothing more is printed after the port.
      lines.cancel().catch(() => {});
    }
  }

  /** Stops the server. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = null;
    await this.#stdin?.close().catch(() => {});
    this.#stdin = null;
    await terminate(child, 10_000);
  }
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return (bytes / MiB).toFixed(1);
}

/**
 * The configuration of an app under benchmark: the benchmark's database and S3 server, a data
 * directory of its own, and no per-client rate limits (hundreds of recorders and viewers come
 * from one address). Nothing else of this process's environment reaches it.
 */
export function benchAppEnv(
  dbUrl: string,
  dataDir: string,
  s3Endpoint: string,
  bucket: string,
): Record<string, string> {
  return {
    DATABASE_URL: dbUrl,
    DATA_DIR: dataDir,
    S3_ENDPOINT: s3Endpoint,
    S3_ACCESS_KEY_ID: "S3RVER",
    S3_SECRET_ACCESS_KEY: "S3RVER",
    S3_BUCKET: bucket,
    S3_FORCE_PATH_STYLE: "true",
    RATE_LIMIT_RECORDINGS_PER_MIN: "0",
    RATE_LIMIT_SOCKETS_PER_MIN: "0",
  };
}
