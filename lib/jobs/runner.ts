/**
 * Runs jobs from the job table: a few loops that claim, run under a renewed lease, and record the
 * outcome, plus periodic tasks (the reaper). The same runner serves `deno task start` (in-process)
 * and `deno task worker` (separate processes).
 */
import type { Sql } from "../db/mod.ts";
import { claimJob, completeJob, extendLease, failJob, type Job } from "./queue.ts";

/** A job handler. Throwing `PermanentJobError` fails the job without retrying. */
export type JobHandler = (job: Job) => Promise<void>;

/** A failure that retrying cannot fix (a missing tool, a broken file). */
export class PermanentJobError extends Error {
  override name = "PermanentJobError";
}

/** Options of a runner. */
export interface RunnerOptions {
  sql: Sql;
  handlers: Record<string, JobHandler>;
  /** Called once a job has failed for good, to record the failure where users see it. */
  onGiveUp?: (job: Job, error: string) => Promise<void>;
  /** Tasks run every `intervalMs`, such as the reaper. */
  periodic?: { name: string; intervalMs: number; run: () => Promise<void> }[];
  concurrency?: number;
  leaseS?: number;
  pollMs?: number;
  /**
   * Slow kinds that must not hold every loop: with more than one loop, the first never takes them,
   * so a new recording's remux and guide start while long ones run.
   */
  background?: string[];
}

/** A running set of job loops. */
export class JobRunner {
  readonly workerId = `${Deno.hostname?.() ?? "host"}:${Deno.pid}:${
    crypto.randomUUID().slice(0, 8)
  }`;
  readonly #opts: Required<Omit<RunnerOptions, "onGiveUp">> & Pick<RunnerOptions, "onGiveUp">;
  #stopped = false;
  #loops: Promise<void>[] = [];
  #timers: ReturnType<typeof setInterval>[] = [];
  #wake: (() => void)[] = [];

  constructor(opts: RunnerOptions) {
    this.#opts = {
      concurrency: 2,
      leaseS: 60,
      pollMs: 500,
      periodic: [],
      background: [],
      ...opts,
    };
  }

  /** Starts the loops and periodic tasks. */
  start(): void {
    const all = Object.keys(this.#opts.handlers);
    const foreground = all.filter((k) => !this.#opts.background.includes(k));
    for (let i = 0; i < this.#opts.concurrency; i++) {
      const reserved = i === 0 && this.#opts.concurrency > 1 && foreground.length > 0;
      this.#loops.push(this.#loop(reserved ? foreground : all));
    }
    for (const task of this.#opts.periodic) {
      let running = false;
      this.#timers.push(setInterval(async () => {
        if (running || this.#stopped) return;
        running = true;
        try {
          await task.run();
        } catch (err) {
          console.error(`${task.name}:`, err);
        } finally {
          running = false;
        }
      }, task.intervalMs));
    }
  }

  /** Wakes idle loops so a just-queued job starts without waiting for the next poll. */
  poke(): void {
    for (const wake of this.#wake.splice(0)) wake();
  }

  async #sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.#wake = this.#wake.filter((w) => w !== wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.#wake.push(wake);
    });
  }

  async #loop(kinds: string[]): Promise<void> {
    while (!this.#stopped) {
      let job: Job | null = null;
      try {
        job = await claimJob(this.#opts.sql, kinds, this.workerId, this.#opts.leaseS);
      } catch (err) {
        if (!this.#stopped) console.error("claiming a job:", err);
      }
      if (!job) {
        await this.#sleep(this.#opts.pollMs);
        continue;
      }
      await this.#run(job);
    }
  }

  async #run(job: Job): Promise<void> {
    const { sql, leaseS } = this.#opts;
    // Renew the lease while the job runs, so a slow job is not taken by another worker.
    const heartbeat = setInterval(() => {
      extendLease(sql, job.id, this.workerId, leaseS).catch(() => {});
    }, (leaseS * 1000) / 3);
    try {
      if (job.attempts > job.maxAttempts) {
        throw new PermanentJobError("gave up: the job's workers kept dying");
      }
      await this.#opts.handlers[job.kind](job);
      await completeJob(sql, job.id, this.workerId);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const final = await failJob(
        sql,
        job,
        this.workerId,
        message,
        err instanceof PermanentJobError,
      )
        .catch(() => false);
      if (final) await this.#opts.onGiveUp?.(job, message).catch(console.error);
      else console.error(`job ${job.kind} #${job.id} failed (attempt ${job.attempts}): ${message}`);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Stops claiming, waits for running jobs to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    this.poke();
    await Promise.all(this.#loops);
  }
}
