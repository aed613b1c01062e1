/**
 * Configuration from the environment. Every variable has an embedded default, so the app starts
 * with none; a bad value raises a {@link ConfigError} whose message is one line naming the variable
 * and the fix.
 */

import { JOB_KINDS, type JobKind } from "./jobs/kinds.ts";

const MiB = 1024 * 1024;

/** S3 settings when a real S3 is configured; `null` means the embedded server. */
export interface S3Settings {
  endpoint: string;
  publicEndpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
}

/** The whole configuration of one process. */
export interface Config {
  port: number;
  dataDir: string;
  /** `null`: embedded PGlite in `dataDir/pg`. */
  databaseUrl: string | null;
  /** `null`: embedded S3 in `dataDir/s3`. */
  s3: S3Settings | null;
  /** Bucket name, also used by the embedded server. */
  bucket: string;
  publicUrl: string | null;
  /** Other origins whose pages may call the API and open the sockets (third-party recorders). */
  allowedOrigins: string[];
  /** Recordings one client may start a minute (0: no limit). */
  recordingsPerMinute: number;
  /** WebSocket connections one client may open a minute, both sockets together (0: no limit). */
  socketsPerMinute: number;
  /** Sign-in attempts one client may make a minute (0: no limit). */
  loginsPerMinute: number;
  /** Accounts one client may create a minute (0: no limit). */
  signupsPerMinute: number;
  /** Take the client's address from `X-Forwarded-For` (behind a proxy that sets it). */
  trustProxy: boolean;
  ingestPartBytes: number;
  ingestMaxChunkBytes: number;
  maxVideoBytes: number;
  playbackUrlTtlS: number;
  recordingResumeWindowS: number;
  /** `FFMPEG_PATH`; `null`: the PATH's, else the bundled one (see `ffmpeg_locate.ts`). */
  ffmpegPath: string | null;
  /** `FFPROBE_PATH`; `null`: the PATH's, else the bundled one. */
  ffprobePath: string | null;
  autodocOcrWorkers: number;
  /** Make an H.264/AAC MP4 beside recordings that are not already H.264/AAC (`RENDITIONS`). */
  renditions: boolean;
  /** `deno task worker`: job loops run at once (`WORKER_CONCURRENCY`). */
  workerConcurrency: number;
  /** Seconds a claimed job stays leased without a heartbeat (`JOB_LEASE_S`). */
  jobLeaseS: number;
  /** `deno task worker`: the kinds of job it takes (`WORKER_JOBS`, comma-separated; all by default). */
  workerJobs: readonly JobKind[];
}

/** A configuration problem, with a one-line message meant for the person starting the app. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw)) {
    throw new ConfigError(
      `${name}=${raw} is not a whole number: set it to one (default ${fallback})`,
    );
  }
  const n = Number(raw);
  if (n < min || n > max) {
    throw new ConfigError(`${name}=${raw} is out of range: set it between ${min} and ${max}`);
  }
  return n;
}

function urlVar(env: Env, name: string): string | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  try {
    const url = new URL(raw);
    if (!["http:", "https:", "postgres:", "postgresql:"].includes(url.protocol)) throw new Error();
    return raw.replace(/\/+$/, "");
  } catch {
    throw new ConfigError(`${name}=${raw} is not a valid URL: set it like http://host:port`);
  }
}

function originsVar(env: Env, name: string): string[] {
  const raw = env[name]?.trim();
  if (!raw) return [];
  return raw.split(",").map((o) => o.trim()).filter(Boolean).map((o) => {
    try {
      const url = new URL(o);
      if (!["http:", "https:"].includes(url.protocol) || url.origin !== o.replace(/\/$/, "")) {
        throw new Error();
      }
      return url.origin;
    } catch {
      throw new ConfigError(
        `${name} holds ${o}, which is not an origin: list origins like https://app.example.com, comma-separated`,
      );
    }
  });
}

function boolVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (["1", "true", "yes"].includes(raw)) return true;
  if (["0", "false", "no"].includes(raw)) return false;
  throw new ConfigError(`${name}=${raw} is not a boolean: set it to true or false`);
}

function jobKindsVar(env: Env, name: string): readonly JobKind[] {
  const raw = env[name]?.trim();
  if (!raw) return JOB_KINDS;
  const kinds = raw.split(",").map((k) => k.trim()).filter(Boolean);
  const unknown = kinds.filter((k) => !(JOB_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0 || kinds.length === 0) {
    throw new ConfigError(
      `${name}=${raw} names unknown jobs (${unknown.join(", ")}): use ${JOB_KINDS.join(", ")}`,
    );
  }
  return kinds as JobKind[];
}

function s3Settings(env: Env, bucket: string): S3Settings | null {
  const endpoint = urlVar(env, "S3_ENDPOINT");
  if (!endpoint) {
    for (const name of ["S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_PUBLIC_ENDPOINT"]) {
      if (env[name]) {
        throw new ConfigError(
          `${name} is set but S3_ENDPOINT is not: set S3_ENDPOINT (e.g. https://s3.us-east-1.amazonaws.com) or unset ${name} to use the embedded S3`,
        );
      }
    }
    return null;
  }
  const accessKeyId = env.S3_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY?.trim();
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError(
      "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set with S3_ENDPOINT: set both to the bucket's credentials",
    );
  }
  return {
    endpoint,
    publicEndpoint: urlVar(env, "S3_PUBLIC_ENDPOINT") ?? endpoint,
    region: env.S3_REGION?.trim() || "us-east-1",
    bucket,
    accessKeyId,
    secretAccessKey,
    forcePathStyle: boolVar(env, "S3_FORCE_PATH_STYLE", true),
  };
}

/** Reads the configuration from `env` (default: the process environment). */
export function loadConfig(env: Env = Deno.env.toObject()): Config {
  const bucket = env.S3_BUCKET?.trim() || "videoflow";
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new ConfigError(
      `S3_BUCKET=${bucket} is not a valid bucket name: use 3-63 lowercase letters, digits, dots or hyphens`,
    );
  }
  const partBytes = intVar(env, "INGEST_PART_BYTES", 5 * MiB, 5 * MiB, 5 * 1024 * MiB);
  const maxVideoBytes = intVar(env, "MAX_VIDEO_BYTES", 10 * 1024 * MiB, 1, Number.MAX_SAFE_INTEGER);
  // S3 takes at most 10,000 parts per upload.
  if (maxVideoBytes > partBytes * 10_000) {
    throw new ConfigError(
      `MAX_VIDEO_BYTES=${maxVideoBytes} needs more than 10000 parts of INGEST_PART_BYTES=${partBytes}: raise INGEST_PART_BYTES or lower MAX_VIDEO_BYTES`,
    );
  }
  return {
    port: intVar(env, "PORT", 8000, 0, 65535),
    dataDir: env.DATA_DIR?.trim() || "./data",
    databaseUrl: urlVar(env, "DATABASE_URL"),
    s3: s3Settings(env, bucket),
    bucket,
    publicUrl: urlVar(env, "PUBLIC_URL"),
    allowedOrigins: originsVar(env, "ALLOWED_ORIGINS"),
    recordingsPerMinute: intVar(env, "RATE_LIMIT_RECORDINGS_PER_MIN", 30, 0, 1_000_000),
    socketsPerMinute: intVar(env, "RATE_LIMIT_SOCKETS_PER_MIN", 300, 0, 1_000_000),
    loginsPerMinute: intVar(env, "RATE_LIMIT_LOGINS_PER_MIN", 10, 0, 1_000_000),
    signupsPerMinute: intVar(env, "RATE_LIMIT_SIGNUPS_PER_MIN", 5, 0, 1_000_000),
    trustProxy: boolVar(env, "TRUST_PROXY", false),
    ingestPartBytes: partBytes,
    ingestMaxChunkBytes: intVar(env, "INGEST_MAX_CHUNK_BYTES", 16 * MiB, 1, 63 * MiB),
    maxVideoBytes,
    playbackUrlTtlS: intVar(env, "PLAYBACK_URL_TTL_S", 900, 10, 7 * 24 * 3600),
    recordingResumeWindowS: intVar(env, "RECORDING_RESUME_WINDOW_S", 3600, 1, 30 * 24 * 3600),
    ffmpegPath: env.FFMPEG_PATH?.trim() || null,
    ffprobePath: env.FFPROBE_PATH?.trim() || null,
    autodocOcrWorkers: intVar(env, "AUTODOC_OCR_WORKERS", 2, 1, 64),
    renditions: boolVar(env, "RENDITIONS", true),
    workerConcurrency: intVar(env, "WORKER_CONCURRENCY", 2, 1, 64),
    jobLeaseS: intVar(env, "JOB_LEASE_S", 60, 2, 24 * 3600),
    workerJobs: jobKindsVar(env, "WORKER_JOBS"),
  };
}
