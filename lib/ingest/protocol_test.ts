import assert from "node:assert/strict";
import { chunkFrame, parseChunkFrame, parseTextMessage } from "./protocol.ts";
import { IngestError } from "./errors.ts";

Deno.test("chunk frames carry a 4-byte big-endian seq", () => {
  const frame = chunkFrame(0x01020304, new Uint8Array([9, 8]));
  assert.deepEqual([...frame], [1, 2, 3, 4, 9, 8]);
  const { seq, bytes } = parseChunkFrame(frame);
  assert.equal(seq, 0x01020304);
  assert.deepEqual([...bytes], [9, 8]);
  assert.equal(parseChunkFrame(chunkFrame(0xffffffff, new Uint8Array())).seq, 0xffffffff);
});

Deno.test("text messages are parsed, anything else is a protocol error", () => {
  assert.deepEqual(parseTextMessage('{"type":"hello","token":"t"}'), { type: "hello", token: "t" });
  assert.deepEqual(parseTextMessage('{"type":"finish","lastSeq":3,"durationMs":9000}'), {
    type: "finish",
    lastSeq: 3,
    durationMs: 9000,
  });
  for (
    const bad of [
      "",
      "nope",
      "[]",
      "null",
      '{"seq":1}',
      '{"type":"hello"}',
      '{"type":"finish","lastSeq":-5}',
      '{"type":"dance"}',
    ]
  ) {
    assert.throws(() => parseTextMessage(bad), (err: unknown) => {
      assert.ok(err instanceof IngestError);
      assert.equal(err.closeCode, 4400);
      return true;
    }, bad);
  }
  assert.throws(() => parseChunkFrame(new Uint8Array(3)), IngestError);
});
