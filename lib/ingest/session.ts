/**
 * One recording being ingested: takes chunks in seq order, cuts the byte stream into parts of
 * exactly `partBytes`, uploads each as soon as it is full and records it in `video_parts`, the
 * record from which `durableSeq` and a resume after restart are computed.
 *
 * The open part is spooled to a file, not held in memory, so a recording costs little RAM. At most
 * one full part is uploading while the next one fills.
 */
import { SerialQueue } from "../serial.ts";
import type { VideoRow } from "../videos/mod.ts";
import { forgetParts, listParts, type PartRow, recordPart } from "./parts.ts";
import { markCancelled, markEmpty, markProcessing, markUploadClosed } from "../videos/lifecycle.ts";
import { join } from "node:path";
import type { Sql } from "../db/mod.ts";
import type { Storage } from "../storage/s3.ts";
import { enqueueJob } from "../jobs/queue.ts";
import { CloseCode, IngestError, ingestErrors } from "./errors.ts";

/** What a session needs from its surroundings. */
export interface SessionDeps {
  sql: Sql;
  storage: Storage;
  spoolDir: string;
  partBytes: number;
  maxChunkBytes: number;
  maxVideoBytes: number;
}

/** The state of a recording as the protocol reports it. */
export interface Progress {
  nextSeq: number;
  durableSeq: number;
}

/** Where a recording resumes, derived from its uploaded parts alone. */
export interface ResumePoint {
  nextSeq: number;
  durableSeq: number;
  /** Bytes of chunk `nextSeq` that uploaded parts already hold. */
  skipBytes: number;
  /** Bytes in uploaded parts. */
  durableBytes: number;
  nextPartNumber: number;
  /**
   * The last part is shorter than `partBytes`: it was uploaded as the final one (a finish whose
   * completion failed). No part may follow it, or S3 would refuse the upload; only finish is left.
   */
  sealed: boolean;
}

/** Computes the resume point from the parts recorded so far, in part-number order. */
export function resumePoint(parts: PartRow[], partBytes: number): ResumePoint {
  const last = parts.at(-1);
  const durableBytes = parts.reduce((n, p) => n + Number(p.size_bytes), 0);
  if (!last) {
    return {
      nextSeq: 0,
      durableSeq: -1,
      skipBytes: 0,
      durableBytes,
      nextPartNumber: 1,
      sealed: false,
    };
  }
  const durableSeq = last.last_seq_complete ? last.last_seq : last.last_seq - 1;
  return {
    nextSeq: durableSeq + 1,
    durableSeq,
    skipBytes: last.last_seq_complete ? 0 : Number(last.last_seq_bytes),
    durableBytes,
    nextPartNumber: last.part_number + 1,
    sealed: Number(last.size_bytes) < partBytes,
  };
}

/** S3 allows at most this many parts in one upload. */
export const MAX_PARTS = 10_000;

/** The part being filled. */
interface OpenPart {
  number: number;
  path: string;
  file: Deno.FsFile;
  fill: number;
  firstSeq: number;
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await file.write(data.subarray(off));
}

/** One recording in ingest. Create with {@link IngestSession.load}. */
export class IngestSession {
  readonly videoId: string;
  readonly key: string;
  readonly uploadId: string;
  readonly #deps: SessionDeps;
  #nextSeq: number;
  #durableSeq: number;
  #skipBytes: number;
  /** Bytes accepted into the stream, the open part included. */
  #totalBytes: number;
  #open: OpenPart | null = null;
  #nextPartNumber: number;
  #sealed: boolean;
  /** This recording's part size, fixed when it was created. */
  readonly #partBytes: number;
  /** Tells this session's spool files from those of a session it replaced. */
  readonly #nonce = crypto.randomUUID().slice(0, 8);
  /** The upload of the last full part, if one is in flight. */
  #uploading: Promise<void> | null = null;
  #failed: IngestError | null = null;
  #closed: "finished" | "cancelled" | "failed" | "deleted" | null = null;
  /** Serializes every operation: chunks may come from several sockets and PUT requests. */
  readonly #queue = new SerialQueue();
  /** Time of the last chunk or connection, for idle handling. */
  lastActivity = Date.now();
  /** Sockets attached to this session. */
  connections = 0;

  private constructor(
    deps: SessionDeps,
    videoId: string,
    key: string,
    uploadId: string,
    partBytes: number,
    at: ResumePoint,
  ) {
    this.#deps = deps;
    this.videoId = videoId;
    this.key = key;
    this.uploadId = uploadId;
    this.#partBytes = partBytes;
    this.#nextSeq = at.nextSeq;
    this.#durableSeq = at.durableSeq;
    this.#skipBytes = at.skipBytes;
    this.#totalBytes = at.durableBytes;
    this.#nextPartNumber = at.nextPartNumber;
    this.#sealed = at.sealed;
  }

  /** Loads a recording from the database; throws the protocol's error when it cannot ingest. */
  static async load(deps: SessionDeps, videoId: string): Promise<IngestSession> {
    const [video] = await deps.sql<
      Pick<VideoRow, "status" | "s3_key" | "upload_id" | "part_bytes">[]
    >`
      SELECT status, s3_key, upload_id, part_bytes FROM videos WHERE id = ${videoId}`;
    if (!video) throw ingestErrors.notFound();
    // Every recording gets its upload when its row is made: none means it cannot take chunks.
    if (video.status !== "recording" || !video.upload_id) throw ingestErrors.finished(video.status);
    const parts = await listParts(deps.sql, videoId);
    // A recording keeps the part size it started with, whatever INGEST_PART_BYTES is now:
    // R2 refuses uploads whose non-final parts differ in length.
    const partBytes = video.part_bytes ?? deps.partBytes;
    const at = resumePoint(parts, partBytes);
    return new IngestSession(deps, videoId, video.s3_key, video.upload_id, partBytes, at);
  }

  /** The protocol's view of this recording. */
  get progress(): Progress {
    return { nextSeq: this.#nextSeq, durableSeq: this.#durableSeq };
  }

  /** Bytes received so far. */
  get totalBytes(): number {
    return this.#totalBytes;
  }

  /** Whether the session can still take chunks. */
  get usable(): boolean {
    return this.#closed === null && this.#failed === null;
  }

  /** Marks the session unusable: its video is being deleted. */
  retire(): void {
    this.#closed ??= "deleted";
  }

  /**
   * Marks the session unusable because the registry let go of it: a socket still holding it is
   * told to reconnect, and gets a session rebuilt from the database.
   */
  reset(): void {
    this.#failed ??= ingestErrors.storage(new Error("the session was reset"));
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.#queue.run(fn);
  }

  #checkUsable(): void {
    if (this.#closed === "deleted") throw ingestErrors.notFound("the video was deleted");
    if (this.#closed === "failed") throw ingestErrors.finished("failed");
    if (this.#closed) throw ingestErrors.finished(this.#closed);
    if (this.#failed) throw this.#failed;
  }

  /**
   * Takes chunk `seq`. Returns the progress to acknowledge with; throws a non-fatal `gap` error for
   * a chunk ahead of `nextSeq`, and fatal errors for everything that ends the connection.
   */
  chunk(seq: number, bytes: Uint8Array): Promise<Progress> {
    this.lastActivity = Date.now();
    return this.#serial(async () => {
      this.#checkUsable();
      if (seq < this.#nextSeq) return this.progress;
      if (seq > this.#nextSeq) throw ingestErrors.gap(this.#nextSeq);
      if (bytes.length > this.#deps.maxChunkBytes) {
        throw ingestErrors.tooLarge(
          `chunk of ${bytes.length} bytes is over INGEST_MAX_CHUNK_BYTES (${this.#deps.maxChunkBytes})`,
        );
      }
      const skip = this.#skipBytes;
      if (bytes.length < skip) {
        throw ingestErrors.protocol(
          `chunk ${seq} has ${bytes.length} bytes but ${skip} of it are already stored: resend the same chunk`,
        );
      }
      if (this.#sealed) {
        throw ingestErrors.protocol("the recording's last part is already stored: send finish");
      }
      const data = bytes.subarray(skip);
      const total = this.#totalBytes + data.length;
      if (total > this.#deps.maxVideoBytes || total > this.#partBytes * MAX_PARTS) {
        throw ingestErrors.tooLarge(
          `the recording would exceed MAX_VIDEO_BYTES (${this.#deps.maxVideoBytes} bytes)`,
        );
      }
      try {
        await this.#append(seq, skip, data);
      } catch (err) {
        // A failed write or upload may leave the open part half-written: nothing more goes into it.
        this.#failed ??= err instanceof IngestError ? err : ingestErrors.storage(err);
        throw this.#failed;
      }
      this.#nextSeq = seq + 1;
      this.#skipBytes = 0;
      this.#totalBytes += data.length;
      return this.progress;
    });
  }

  /** Writes a chunk's new bytes into the open part, sealing every part it fills. */
  async #append(seq: number, skip: number, data: Uint8Array): Promise<void> {
    const partBytes = this.#partBytes;
    let off = 0;
    while (off < data.length) {
      const open = this.#open ?? await this.#openPart(seq);
      const n = Math.min(data.length - off, partBytes - open.fill);
      await writeAll(open.file, data.subarray(off, off + n));
      open.fill += n;
      off += n;
      if (open.fill === partBytes) {
        await this.#seal(open, seq, skip + off, off === data.length);
      }
    }
  }

  async #openPart(firstSeq: number): Promise<OpenPart> {
    const number = this.#nextPartNumber++;
    const path = join(this.#deps.spoolDir, `${this.videoId}.${this.#nonce}.${number}.part`);
    const file = await Deno.open(path, { create: true, write: true, truncate: true });
    this.#open = { number, path, file, fill: 0, firstSeq };
    return this.#open;
  }

  /**
   * Starts the upload of a full (or final) part. Waits for the previous upload first, so at most
   * one is in flight and parts are recorded in order.
   */
  async #seal(open: OpenPart, lastSeq: number, lastSeqBytes: number, complete: boolean) {
    this.#open = null;
    open.file.close();
    try {
      await this.#waitUpload();
    } catch (err) {
      await Deno.remove(open.path).catch(() => {});
      throw err;
    }
    this.#uploading = this.#uploadPart(open, lastSeq, lastSeqBytes, complete).catch(async (err) => {
      this.#failed = err instanceof IngestError ? err : ingestErrors.storage(err);
      await Deno.remove(open.path).catch(() => {});
    });
  }

  async #waitUpload(): Promise<void> {
    if (this.#uploading) await this.#uploading;
    this.#uploading = null;
    if (this.#failed) throw this.#failed;
  }

  async #uploadPart(open: OpenPart, lastSeq: number, lastSeqBytes: number, complete: boolean) {
    const { sql, storage } = this.#deps;
    const etag = await storage.uploadPart(this.key, this.uploadId, open.number, {
      path: open.path,
      start: 0,
      length: open.fill,
    });
    await recordPart(sql, this.videoId, {
      part_number: open.number,
      etag,
      size_bytes: open.fill,
      first_seq: open.firstSeq,
      last_seq: lastSeq,
      last_seq_bytes: lastSeqBytes,
      last_seq_complete: complete,
    });
    // Only now, with the part in S3 and on record, does the chunk count as durable.
    this.#durableSeq = Math.max(this.#durableSeq, complete ? lastSeq : lastSeq - 1);
    await Deno.remove(open.path).catch(() => {});
  }

  /**
   * Uploads the last part, completes the multipart upload and queues post-processing. `lastSeq`
   * must be the last chunk received; a later one is a gap.
   */
  finish(lastSeq: number, durationMs: number | null, recovered = false): Promise<void> {
    this.lastActivity = Date.now();
    return this.#serial(async () => {
      this.#checkUsable();
      if (lastSeq >= this.#nextSeq) throw ingestErrors.gap(this.#nextSeq);
      if (lastSeq < this.#nextSeq - 1) {
        throw ingestErrors.protocol(
          `lastSeq ${lastSeq} is below the last chunk received (${this.#nextSeq - 1})`,
        );
      }
      if (this.#open) {
        this.#sealed = true;
        await this.#seal(this.#open, this.#nextSeq - 1, 0, true);
      }
      await this.#waitUpload();
      try {
        await completeRecording(this.#deps.sql, this.#deps.storage, this.videoId, {
          durationMs,
          recovered,
        });
      } catch (err) {
        if (err instanceof IngestError && err.code === "empty") this.#closed = "failed";
        throw err;
      }
      this.#closed = "finished";
    });
  }

  /** Aborts the upload and marks the video cancelled. */
  cancel(): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed === "finished") throw ingestErrors.finished("finished");
      this.#closed = "cancelled";
      await this.#uploading?.catch(() => {});
      await this.discard();
      await cancelRecording(this.#deps.sql, this.#deps.storage, this.videoId);
    });
  }

  /** Drops the open part's spool file (its bytes are not durable; the client resends them). */
  async discard(): Promise<void> {
    const open = this.#open;
    this.#open = null;
    if (!open) return;
    open.file.close();
    await Deno.remove(open.path).catch(() => {});
  }

  /** Waits for queued work and any upload in flight. */
  async drain(): Promise<void> {
    await this.#queue;
    await this.#uploading?.catch(() => {});
  }
}

/** Seconds between a recording's completion and the start of its processing. */
const POSTPROCESS_DELAY_S = 2;

/**
 * Completes a recording's multipart upload from the parts on record and moves the video to
 * `processing` with a remux job queued. Used at finish and by the reaper.
 */
export async function completeRecording(
  sql: Sql,
  storage: Storage,
  videoId: string,
  opts: { durationMs: number | null; recovered: boolean },
): Promise<void> {
  const [video] = await sql<
    Pick<VideoRow, "s3_key" | "upload_id">[]
  >`SELECT s3_key, upload_id FROM videos WHERE id = ${videoId}`;
  const parts = await listParts(sql, videoId);
  const size = parts.reduce((n, p) => n + Number(p.size_bytes), 0);
  if (!video?.upload_id) throw ingestErrors.notFound();
  if (parts.length === 0) {
    await storage.abortMultipart(video.s3_key, video.upload_id).catch(() => false);
    await markEmpty(sql, videoId);
    throw new IngestError("empty", "the recording holds no data", CloseCode.protocol);
  }
  try {
    await storage.completeMultipart(
      video.s3_key,
      video.upload_id,
      parts.map((p) => ({ partNumber: p.part_number, etag: p.etag })),
    );
  } catch (err) {
    // A crash between completing and recording it: the object is already whole.
    if ((await storage.size(video.s3_key).catch(() => null)) !== size) throw err;
  }
  await sql.begin(async (tx) => {
    // Conditional: a reaper in another process may have completed it already.
    const moved = await markProcessing(tx, videoId, {
      sizeBytes: size,
      clientDurationMs: durationMs(opts.durationMs),
      recovered: opts.recovered,
    });
    // Post-processing waits a moment: the person who pressed Stop is loading the video's page
    // right now, and on a small machine ffmpeg would take the CPU from it. The raw upload plays
    // in the meantime.
    if (moved) await enqueueJob(tx, "remux", videoId, { delayS: POSTPROCESS_DELAY_S });
  });
}

function durationMs(ms: number | null): number | null {
  return ms === null || !Number.isFinite(ms) ? null : Math.round(ms);
}

/**
 * Marks a recording cancelled and aborts its upload (the embedded S3 cannot abort: its upload is
 * over all the same; one S3 could not be reached for is left to the reaper).
 */
export async function cancelRecording(sql: Sql, storage: Storage, videoId: string) {
  const video = await markCancelled(sql, videoId);
  if (!video) return;
  // An abort that fails (S3 unreachable) leaves the upload open: the reaper tries it again.
  const over = !video.upload_id ||
    await storage.abortMultipart(video.s3_key, video.upload_id).then(() => true, () => false);
  if (!over) return;
  await markUploadClosed(sql, videoId);
  await forgetParts(sql, videoId);
}
