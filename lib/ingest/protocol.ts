/** Parsing of the ingest protocol's messages (see the README's protocol section). */
import { z } from "zod";
import { ingestErrors } from "./errors.ts";
import { chunkFrame, readChunkFrame } from "./wire.ts";

const seqSchema = z.number().int().min(0).max(0xffffffff);
const durationSchema = z.number().min(0).max(1e10).nullable().optional();

const messageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("hello"), token: z.string().max(512) }),
  z.object({
    type: z.literal("finish"),
    lastSeq: seqSchema.or(z.literal(-1)),
    durationMs: durationSchema,
  }),
  z.object({ type: z.literal("cancel") }),
]);

/** A text message from the client. */
export type ClientMessage = z.infer<typeof messageSchema>;

/** Body of the fallback `POST /api/videos/{id}/finish`. */
export const finishBodySchema = z.object({
  lastSeq: seqSchema.or(z.literal(-1)),
  durationMs: durationSchema,
});

/** Parses a text frame; throws a protocol error for anything that is not a known message. */
export function parseTextMessage(text: string): ClientMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw ingestErrors.protocol("text messages must be JSON");
  }
  if (typeof json !== "object" || json === null || !("type" in json)) {
    throw ingestErrors.protocol("the message has no type");
  }
  const parsed = messageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw ingestErrors.protocol(
      `bad ${String(json.type)} message: ${issue.path.join(".")} ${issue.message}`,
    );
  }
  return parsed.data;
}

/** Splits a binary frame into its 4-byte big-endian seq and the chunk bytes. */
export function parseChunkFrame(frame: Uint8Array): { seq: number; bytes: Uint8Array } {
  const chunk = readChunkFrame(frame);
  if (!chunk) throw ingestErrors.protocol("a chunk frame needs a 4-byte seq header");
  return chunk;
}

export { chunkFrame };
