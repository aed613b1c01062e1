/**
 * The recordings this process is ingesting, one {@link IngestSession} per video, shared by every
 * socket and PUT request for it. A session that errs is dropped and reloaded from the database on
 * the next request, which is the same path as a resume after a restart.
 */
import { touchActivity } from "../videos/lifecycle.ts";
import type { Sql } from "../db/mod.ts";
import { IngestError } from "./errors.ts";
import { IngestSession, type Progress, type SessionDeps } from "./session.ts";

/** Options for the registry. */
export interface RegistryOptions extends SessionDeps {
  /** A session with no connection and no chunk for this long is finished as recovered. */
  resumeWindowS: number;
}

/** How often `last_activity_at` is written for a recording receiving chunks. */
const TOUCH_INTERVAL_MS = 30_000;

/** All ingest sessions of this process. */
export class IngestRegistry {
  readonly #opts: RegistryOptions;
  readonly #sessions = new Map<string, IngestSession>();
  readonly #loading = new Map<string, Promise<IngestSession>>();
  readonly #touched = new Map<string, number>();
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(opts: RegistryOptions) {
    this.#opts = opts;
  }

  get #sql(): Sql {
    return this.#opts.sql;
  }

  /** Starts the periodic sweep of idle sessions. */
  start(intervalMs = 30_000): void {
    this.#sweeper = setInterval(() => this.sweep().catch(console.error), intervalMs);
  }

  /** The session of a video, loaded on first use. Throws the protocol's error when it cannot. */
  async open(videoId: string): Promise<IngestSession> {
    const live = this.#sessions.get(videoId);
    if (live?.usable) return live;
    // A session that failed or ended is rebuilt from the database (which refuses ended ones).
    if (live) await this.drop(videoId);
    let loading = this.#loading.get(videoId);
    if (!loading) {
      loading = IngestSession.load(this.#opts, videoId);
      this.#loading.set(videoId, loading);
    }
    try {
      const session = await loading;
      if (!this.#sessions.has(videoId)) {
        this.#sessions.set(videoId, session);
        await this.touch(videoId, true);
      }
      return this.#sessions.get(videoId)!;
    } finally {
      this.#loading.delete(videoId);
    }
  }

  /** Records activity on a recording, at most every 30 s unless `force`d. */
  async touch(videoId: string, force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - (this.#touched.get(videoId) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.#touched.set(videoId, now);
    await touchActivity(this.#sql, [videoId]);
  }

  /** Passes a chunk to its session; a fatal error drops the session. */
  async chunk(session: IngestSession, seq: number, bytes: Uint8Array): Promise<Progress> {
    try {
      const progress = await session.chunk(seq, bytes);
      await this.touch(session.videoId);
      return progress;
    } catch (err) {
      await this.#dropOnFatal(session, err);
      throw err;
    }
  }

  /** Finishes a recording; the session is dropped whatever the outcome, except for a gap. */
  async finish(session: IngestSession, lastSeq: number, durationMs: number | null) {
    try {
      await session.finish(lastSeq, durationMs);
      await this.drop(session.videoId);
    } catch (err) {
      await this.#dropOnFatal(session, err);
      throw err;
    }
  }

  /** Cancels a recording and drops its session. */
  async cancel(session: IngestSession): Promise<void> {
    try {
      await session.cancel();
    } finally {
      await this.drop(session.videoId);
    }
  }

  async #dropOnFatal(session: IngestSession, err: unknown): Promise<void> {
    if (err instanceof IngestError && !err.fatal) return;
    // Limits and protocol errors leave the session intact; anything else may have left it
    // half-way, so it is rebuilt from the database on the next request.
    if (err instanceof IngestError && err.code !== "storage" && err.code !== "finished") return;
    await this.drop(session.videoId);
  }

  /** Forgets a video's session, dropping its open part. */
  async drop(videoId: string): Promise<void> {
    const session = this.#sessions.get(videoId);
    this.#sessions.delete(videoId);
    this.#touched.delete(videoId);
    if (!session) return;
    // Sockets still holding it must not write into it any more: they reconnect.
    session.reset();
    await session.drain();
    await session.discard();
  }

  /** Ends a video's session for good, before the video is deleted; sockets still on it get 4404. */
  async retire(videoId: string): Promise<void> {
    this.#sessions.get(videoId)?.retire();
    await this.drop(videoId);
  }

  /**
   * Finishes the sessions with no connection and no chunk for the resume window, from what
   * reached the server, open part included (the database reaper can only use uploaded parts).
   */
  async sweep(now = Date.now()): Promise<void> {
    const windowMs = this.#opts.resumeWindowS * 1000;
    // A recorder may pause for longer than the window with its socket open: what this process
    // holds is alive, whatever the database reaper of another process would conclude.
    const held = [...this.#sessions.values()].filter((s) => s.connections > 0 && s.usable);
    if (held.length > 0) {
      const ids = held.map((s) => s.videoId);
      await touchActivity(this.#sql, ids);
    }
    for (const session of [...this.#sessions.values()]) {
      if (!session.usable) {
        await this.drop(session.videoId);
        continue;
      }
      if (session.connections > 0 || now - session.lastActivity < windowMs) continue;
      const { nextSeq } = session.progress;
      await session.finish(nextSeq - 1, null, true).catch((err) => {
        console.error(`recovering recording ${session.videoId}: ${err}`);
      });
      await this.drop(session.videoId);
    }
  }

  /** Number of sessions held. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Stops the sweep and waits for uploads in flight. */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    for (const id of [...this.#sessions.keys()]) await this.drop(id);
  }
}
