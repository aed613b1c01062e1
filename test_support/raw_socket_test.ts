import assert from "node:assert/strict";
import { parseFrames } from "./raw_socket.ts";

/** An unmasked server frame. */
function frame(opcode: number, payload: Uint8Array): Uint8Array {
  const header = payload.length < 126
    ? [0x80 | opcode, payload.length]
    : [0x80 | opcode, 126, payload.length >> 8, payload.length & 0xff];
  return new Uint8Array([...header, ...payload]);
}

Deno.test("frames are parsed by their headers: a 0x88 byte inside a payload is not a close", () => {
  // A binary message full of 0x88 bytes (as Yjs updates may hold), a long one, then a close.
  const binary = frame(0x2, new Uint8Array([0x88, 0x02, 0x11, 0x5c, 0x88]));
  const long = frame(0x2, new Uint8Array(300).fill(0x88));
  const close = frame(0x8, new Uint8Array([0x0f, 0xa0, 0x62, 0x79, 0x65])); // 4000 "bye"
  const bytes = new Uint8Array([...binary, ...long, ...close]);
  const { frames, used } = parseFrames(bytes);
  assert.deepEqual(frames.map((f) => [f.opcode, f.payload.length]), [[2, 5], [2, 300], [8, 5]]);
  assert.equal(used, bytes.length);
  assert.equal((frames[2].payload[0] << 8) | frames[2].payload[1], 4000);

  // An incomplete frame at the end waits for more bytes.
  const partial = parseFrames(bytes.subarray(0, bytes.length - 2));
  assert.equal(partial.frames.length, 2);
  assert.equal(partial.used, binary.length + long.length);
  assert.deepEqual(parseFrames(bytes.subarray(0, 1)), { frames: [], used: 0 });
});

Deno.test("a masked frame's payload is unmasked", () => {
  const mask = [0x01, 0x02, 0x03, 0x04];
  const text = new TextEncoder().encode("hello");
  const masked = text.map((b, i) => b ^ mask[i % 4]);
  const { frames } = parseFrames(new Uint8Array([0x81, 0x80 | text.length, ...mask, ...masked]));
  assert.equal(new TextDecoder().decode(frames[0].payload), "hello");
});
