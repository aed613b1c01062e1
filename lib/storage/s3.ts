/**
 * The object storage adapter: the few S3 calls VideoFlow makes, over `@aws-sdk/client-s3`, the
 * same code for AWS S3, MinIO, R2 and the embedded server.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";

const MiB = 1024 * 1024;

/** Where and how to reach an S3 endpoint. */
export interface S3Endpoint {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
}

/** A part as S3 needs it to complete an upload. */
export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/** A byte range of a local file to send as a request body. */
export interface FileRange {
  path: string;
  start: number;
  /** Length in bytes. */
  length: number;
}

/** An object read from storage. */
export interface StoredObject {
  body: ReadableStream<Uint8Array>;
  contentType: string | undefined;
  contentLength: number | undefined;
  contentRange: string | undefined;
  etag: string | undefined;
  lastModified: Date | undefined;
}

function makeClient(e: S3Endpoint): S3Client {
  return new S3Client({
    endpoint: e.endpoint,
    region: e.region,
    forcePathStyle: e.forcePathStyle,
    credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
    // Otherwise stream bodies are sent with aws-chunked framing, which some servers store verbatim.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

function fileBody(range: FileRange): Readable | Uint8Array {
  if (range.length === 0) return new Uint8Array(0);
  return createReadStream(range.path, { start: range.start, end: range.start + range.length - 1 });
}

/** True when S3 answered that the call is not implemented or the upload is unknown. */
export function isUnsupported(err: unknown): boolean {
  const status = err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
  return status === 405 || status === 501;
}

/** The S3 calls of VideoFlow, bound to one bucket. */
export class Storage {
  /** The underlying client; tests observe its calls through its middleware stack. */
  readonly client: S3Client;
  readonly bucket: string;
  readonly #presigner: S3Client;

  /**
   * @param endpoint the S3 the app talks to
   * @param publicEndpoint the endpoint browsers reach, used only to pre-sign URLs
   */
  constructor(endpoint: S3Endpoint, publicEndpoint?: string) {
    this.client = makeClient(endpoint);
    this.bucket = endpoint.bucket;
    this.#presigner = publicEndpoint && publicEndpoint !== endpoint.endpoint
      ? makeClient({ ...endpoint, endpoint: publicEndpoint })
      : this.client;
  }

  /** Starts a multipart upload and returns its id. */
  async createMultipart(key: string, contentType: string): Promise<string> {
    const out = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
    );
    if (!out.UploadId) throw new Error("S3 returned no UploadId");
    return out.UploadId;
  }

  /** Uploads one part, streamed from a file range; returns its ETag. */
  async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: FileRange,
  ): Promise<string> {
    const out = await this.client.send(
      new UploadPartCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        Body: fileBody(body),
        ContentLength: body.length,
      }),
    );
    if (!out.ETag) throw new Error("S3 returned no ETag for part " + partNumber);
    return out.ETag;
  }

  /** Completes a multipart upload from the given parts, in part-number order. */
  async completeMultipart(key: string, uploadId: string, parts: CompletedPart[]): Promise<void> {
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: {
          Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })),
        },
      }),
    );
  }

  /**
   * Aborts a multipart upload. Best effort: servers that lack the call (the embedded one) or no
   * longer know the upload answer `false`.
   */
  async abortMultipart(key: string, uploadId: string): Promise<boolean> {
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }),
      );
      return true;
    } catch (err) {
      if (isUnsupported(err) || isNotFound(err)) return false;
      throw err;
    }
  }

  /**
   * Stores a whole file, streamed, never read into memory: one PUT up to `partBytes` × 8, a
   * multipart upload above (a single PUT cannot exceed 5 GiB).
   */
  async putFile(key: string, path: string, contentType: string, partBytes = 64 * MiB) {
    const { size } = await Deno.stat(path);
    if (size > partBytes * 8) {
      const uploadId = await this.createMultipart(key, contentType);
      try {
        const parts: CompletedPart[] = [];
        for (let start = 0, n = 1; start < size; start += partBytes, n++) {
          const length = Math.min(partBytes, size - start);
          parts.push({
            partNumber: n,
            etag: await this.uploadPart(key, uploadId, n, { path, start, length }),
          });
        }
        await this.completeMultipart(key, uploadId, parts);
      } catch (err) {
        await this.abortMultipart(key, uploadId).catch(() => false);
        throw err;
      }
      return;
    }
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: fileBody({ path, start: 0, length: size }),
        ContentLength: size,
        ContentType: contentType,
      }),
    );
  }

  /** Reads an object, or the byte range given as an HTTP Range header value. */
  async get(key: string, range?: string): Promise<StoredObject> {
    const out = await this.client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range }),
    );
    if (!out.Body) throw new Error("S3 returned no body for " + key);
    return {
      body: out.Body.transformToWebStream() as ReadableStream<Uint8Array>,
      contentType: out.ContentType,
      contentLength: out.ContentLength,
      contentRange: out.ContentRange,
      etag: out.ETag,
      lastModified: out.LastModified,
    };
  }

  /** Size of an object, or `null` when it does not exist. */
  async size(key: string): Promise<number | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.ContentLength ?? 0;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** Streams an object into a local file. */
  async download(key: string, path: string): Promise<void> {
    const obj = await this.get(key);
    const file = await Deno.open(path, { write: true, create: true, truncate: true });
    // pipeTo closes the file once the last write is done; closing it ourselves after a
    // preventClose pipe lost the tail of the object.
    await obj.body.pipeTo(file.writable);
  }

  /** Deletes an object; deleting a missing one is not an error. */
  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** A pre-signed GET URL for the public endpoint, valid `ttlSeconds`. */
  presignGet(key: string, ttlSeconds: number): Promise<string> {
    return getSignedUrl(
      this.#presigner,
      new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      { expiresIn: ttlSeconds },
    );
  }

  /**
   * Throws unless the bucket answers. An object-level call, since the embedded server refuses the
   * SDK's signature of bucket-level ones.
   */
  async ping(): Promise<void> {
    await this.size(".healthz");
  }
}

/** True for S3's "no such key / upload / bucket" answers. */
export function isNotFound(err: unknown): boolean {
  if (!(err instanceof S3ServiceException)) return false;
  return err.$metadata.httpStatusCode === 404 || err.name === "NoSuchKey" ||
    err.name === "NoSuchUpload" || err.name === "NotFound";
}
