import assert from "node:assert/strict";
import { resumePoint } from "./session.ts";
import type { PartRow } from "./parts.ts";

function part(
  n: number,
  size: number,
  lastSeq: number,
  lastSeqBytes: number,
  complete: boolean,
): PartRow {
  return {
    part_number: n,
    etag: `"e${n}"`,
    size_bytes: String(size),
    first_seq: 0,
    last_seq: lastSeq,
    last_seq_bytes: String(lastSeqBytes),
    last_seq_complete: complete,
  };
}

Deno.test("with no parts, a recording resumes at the start", () => {
  assert.deepEqual(resumePoint([], 100), {
    nextSeq: 0,
    durableSeq: -1,
    skipBytes: 0,
    durableBytes: 0,
    nextPartNumber: 1,
    sealed: false,
  });
});

Deno.test("a part ending on a chunk boundary makes that chunk durable", () => {
  assert.deepEqual(resumePoint([part(1, 100, 4, 20, true)], 100), {
    nextSeq: 5,
    durableSeq: 4,
    skipBytes: 0,
    durableBytes: 100,
    nextPartNumber: 2,
    sealed: false,
  });
});

Deno.test("a part ending inside a chunk: resume at that chunk, skipping what is stored", () => {
  const at = resumePoint([part(1, 100, 3, 30, false), part(2, 100, 3, 130, false)], 100);
  assert.deepEqual(at, {
    nextSeq: 3,
    durableSeq: 2,
    skipBytes: 130,
    durableBytes: 200,
    nextPartNumber: 3,
    sealed: false,
  });
});

Deno.test("a short last part was the final one: the recording can only be finished", () => {
  const at = resumePoint([part(1, 100, 3, 30, false), part(2, 40, 5, 10, true)], 100);
  assert.equal(at.sealed, true);
  assert.equal(at.nextSeq, 6);
  assert.equal(resumePoint([part(1, 100, 3, 30, false)], 100).sealed, false);
});
