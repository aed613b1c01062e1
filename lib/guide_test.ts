import assert from "node:assert/strict";
import { guideMarkdown, isStepImageKey, stepImageKey, stepUid } from "./guide.ts";
import { isUuid } from "./http.ts";
import { orderSteps } from "./step_order.ts";

const VIDEO = "3f0c6a52-8f8e-4a4b-9f57-1b2f0a5c7d10";

Deno.test("step ids are stable per video and number, and valid uuids", () => {
  assert.equal(stepUid(VIDEO, 1), stepUid(VIDEO, 1));
  assert.notEqual(stepUid(VIDEO, 1), stepUid(VIDEO, 2));
  assert.notEqual(stepUid(VIDEO, 1), stepUid(crypto.randomUUID(), 1));
  assert.ok(isUuid(stepUid(VIDEO, 7)));
});

Deno.test("only the video's own step folder is served as a step image", () => {
  const key = stepImageKey(VIDEO, stepUid(VIDEO, 1));
  assert.ok(isStepImageKey(VIDEO, key));
  assert.ok(!isStepImageKey(VIDEO, `videos/${VIDEO}/original.webm`));
  assert.ok(!isStepImageKey(crypto.randomUUID(), key), "another video's key");
  assert.ok(!isStepImageKey(VIDEO, `videos/${VIDEO}/steps/../original.webm`));
  assert.ok(!isStepImageKey(VIDEO, 42));
});

Deno.test("steps are ordered by position, then time, and numbered", () => {
  const base = {
    title: "",
    text: "",
    imageKey: null,
    confidence: 1,
    createdAt: "2026-01-01T00:00:00Z",
  };
  const ordered = orderSteps([
    { ...base, id: "b", timestamp: 1, position: 2 },
    { ...base, id: "a", timestamp: 9, position: 1 },
    { ...base, id: "c", timestamp: 0, position: 2 },
  ]);
  assert.deepEqual(ordered.map((s) => [s.id, s.index]), [["a", 1], ["c", 2], ["b", 3]]);
});

Deno.test("the Markdown guide links every step and escapes what would be markup", () => {
  const steps = orderSteps([
    {
      id: stepUid(VIDEO, 1),
      timestamp: 4.2,
      title: "Open *Settings* [beta]",
      text: "# not a heading\nClick <b>Save</b>",
      imageKey: stepImageKey(VIDEO, stepUid(VIDEO, 1)),
      confidence: 0.9,
      position: 1,
      createdAt: "2026-01-01T00:00:00Z",
    },
  ]);
  const md = guideMarkdown({ id: VIDEO, title: "Setup" }, steps, "https://vf.example");
  assert.match(md, /^# Setup$/m);
  assert.match(md, /^## 1\. Open \\\*Settings\\\* \\\[beta\\\]$/m);
  assert.ok(md.includes(`[0:04](https://vf.example/v/${VIDEO}?t=4.3)`));
  assert.ok(md.includes(`![Step 1](https://vf.example/api/videos/${VIDEO}/steps/1.jpg)`));
  assert.match(md, /^\\# not a heading {2}$/m);
  assert.ok(md.includes("Click \\<b\\>Save\\</b\\>"));
});
