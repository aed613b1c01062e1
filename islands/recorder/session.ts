/**
 * One recording while it is being made: the MediaRecorder's chunks in order into the uploader, a
 * clock that leaves pauses out, and stop or cancel, each at most once. The recorder island drives
 * it; a test drives it with a fake MediaRecorder.
 *
 * @example
 * ```ts
 * const session = new RecordingSession(rec, uploader, new MediaRecorder(stream), setPhase);
 * session.begin(3000);
 * …
 * await session.stop(() => capture.stop()); // the upload is finished when this resolves
 * ```
 */
import type { StoredRecording } from "./store.ts";
import type { Uploader } from "./uploader.ts";

/** Where a recording is. */
export type SessionPhase = "idle" | "recording" | "paused" | "finishing" | "done" | "cancelled";

/** What the session needs of a MediaRecorder. */
export interface ChunkSource {
  readonly state: "inactive" | "recording" | "paused";
  start(timesliceMs: number): void;
  stop(): void;
  pause(): void;
  resume(): void;
  addEventListener(type: "stop", listener: () => void, opts: { once: true }): void;
  ondataavailable: ((e: BlobEvent) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
}

/** A recording being made. */
export class RecordingSession {
  #phase: SessionPhase = "idle";
  #seq = 0;
  #pending: Promise<void> = Promise.resolve();
  #startedAt = 0;
  #pausedMs = 0;
  #pausedAt = 0;
  #ending: Promise<void> | null = null;

  constructor(
    readonly rec: StoredRecording,
    readonly uploader: Uploader,
    readonly source: ChunkSource,
    readonly onPhase: (phase: SessionPhase) => void,
    readonly now: () => number = Date.now,
  ) {}

  /** Where the recording is. */
  get phase(): SessionPhase {
    return this.#phase;
  }

  #set(phase: SessionPhase): void {
    this.#phase = phase;
    this.onPhase(phase);
  }

  /** Starts recording, a chunk every `timesliceMs`. An encoder error stops the recording. */
  begin(timesliceMs: number, onEncoderError: () => void = () => {}): void {
    if (this.#phase !== "idle") return;
    this.source.ondataavailable = (e) => {
      if (!e.data || e.data.size === 0) return;
      const seq = this.#seq++;
      this.rec.durationMs = this.elapsedMs();
      // In order: chunks reach storage and the uploader one after another; a failure stops none.
      this.#pending = this.#pending.then(() => this.uploader.add(seq, e.data)).catch(() => {});
    };
    this.source.onerror = () => onEncoderError();
    this.#startedAt = this.now();
    this.source.start(timesliceMs);
    this.#set("recording");
  }

  /** Time recorded so far, pauses left out. */
  elapsedMs(): number {
    if (!this.#startedAt) return 0;
    const pausedNow = this.#pausedAt ? this.now() - this.#pausedAt : 0;
    return this.now() - this.#startedAt - this.#pausedMs - pausedNow;
  }

  /** Pauses a recording, or resumes a paused one. */
  togglePause(): void {
    if (this.#phase === "recording" && this.source.state === "recording") {
      this.source.pause();
      this.#pausedAt = this.now();
      this.#set("paused");
    } else if (this.#phase === "paused" && this.source.state === "paused") {
      this.source.resume();
      this.#pausedMs += this.now() - this.#pausedAt;
      this.#pausedAt = 0;
      this.#set("recording");
    }
  }

  /** Stops the encoder and waits for its last chunk (none when it stopped on its own). */
  async #stopSource(release: () => void): Promise<void> {
    if (this.source.state !== "inactive") {
      const stopped = new Promise<void>((r) =>
        this.source.addEventListener("stop", r, { once: true })
      );
      this.source.stop();
      // The capture ends now, not after the encoder's last chunk: the CPU goes to finishing.
      release();
      await stopped;
    }
    release();
    await this.#pending;
  }

  /**
   * Stops and finishes the upload; resolves once the server has the whole recording. `release`
   * ends the capture (screen, camera, microphone). A second call gets the first one's outcome.
   */
  stop(release: () => void = () => {}): Promise<void> {
    if (this.#phase === "idle" || this.#phase === "cancelled") return Promise.resolve();
    this.#ending ??= (async () => {
      const durationMs = this.elapsedMs();
      this.#set("finishing");
      await this.#stopSource(release);
      this.rec.durationMs = durationMs;
      await this.uploader.finish(this.rec.lastSeq, durationMs);
      this.#set("done");
    })();
    return this.#ending;
  }

  /** Gives the recording up: the encoder and the upload stop; the caller discards what is kept. */
  cancel(release: () => void = () => {}): Promise<void> {
    if (this.#ending) return this.#ending;
    this.#ending = (async () => {
      this.uploader.stop();
      await this.#stopSource(release);
      this.#set("cancelled");
    })();
    return this.#ending;
  }
}
