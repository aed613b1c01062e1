/**
 * The ingest protocol's wire format, shared by the server, the browser recorder and the reference
 * client: browser-safe (no zod, no database). See the README's "Ingest protocol".
 *
 * @example
 * ```ts
 * ws.send(chunkFrame(seq, new Uint8Array(await blob.arrayBuffer())));
 * const msg = JSON.parse(event.data) as ServerMessage;
 * if (msg.type === "ack") keepAbove(msg.durableSeq);
 * ```
 */

/** Bytes of the big-endian seq that starts every chunk frame. */
export const SEQ_HEADER_BYTES = 4;

/** Builds a chunk frame: the 4-byte big-endian seq, then the bytes. */
export function chunkFrame(seq: number, bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const frame = new Uint8Array(SEQ_HEADER_BYTES + bytes.length);
  new DataView(frame.buffer).setUint32(0, seq, false);
  frame.set(bytes, SEQ_HEADER_BYTES);
  return frame;
}

/** Splits a chunk frame into its seq and bytes; null when it is shorter than the header. */
export function readChunkFrame(frame: Uint8Array): { seq: number; bytes: Uint8Array } | null {
  if (frame.length < SEQ_HEADER_BYTES) return null;
  const seq = new DataView(frame.buffer, frame.byteOffset, SEQ_HEADER_BYTES).getUint32(0, false);
  return { seq, bytes: frame.subarray(SEQ_HEADER_BYTES) };
}

/** What a recorder sends as text. */
export type ClientText =
  | { type: "hello"; token: string }
  | { type: "finish"; lastSeq: number; durationMs?: number | null }
  | { type: "cancel" };

/** Error codes of `{"type":"error"}`. */
export type IngestErrorCode =
  | "protocol"
  | "empty"
  | "token"
  | "not_found"
  | "finished"
  | "too_large"
  | "storage"
  | "gap";

/** What the server sends (as text over the socket, or as the JSON answer of the HTTP fallback). */
export type ServerMessage =
  | { type: "ready"; nextSeq: number; durableSeq: number }
  | { type: "ack"; seq: number; durableSeq: number }
  | { type: "done"; id: string }
  | { type: "cancelled"; id: string }
  | { type: "error"; code: IngestErrorCode; message?: string; expected?: number };

/** WebSocket close codes of the ingest protocol. */
export const CloseCode = {
  normal: 1000,
  protocol: 4400,
  token: 4401,
  notFound: 4404,
  finished: 4409,
  tooLarge: 4413,
  /** Storage failed; the client reconnects and resends from `nextSeq`. */
  storage: 4503,
} as const;
