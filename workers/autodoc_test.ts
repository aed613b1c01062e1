import assert from "node:assert/strict";
import { startTestServer } from "../test_support/server.ts";
import { CONSOLE_SLIDES, makeSlideRecording, slideText } from "../test_support/slides.ts";
import { uploadRecording, waitForDoc } from "../test_support/helpers.ts";
import { wordRecall } from "../test_support/recall.ts";

interface DocJson {
  status: string;
  steps: {
    id: string;
    index: number;
    timestamp: number;
    title: string;
    text: string;
    imageUrl: string;
  }[];
}

for (const codec of ["vp8", "vp9"] as const) {
  Deno.test(`auto-doc makes one step per screen of a ${codec} recording, titled by its heading`, async () => {
    const rec = await makeSlideRecording(CONSOLE_SLIDES, { codec });
    await using server = await startTestServer();
    const { id } = await uploadRecording(server.url, rec.path, {
      title: "Northwind setup",
      mimeType: `video/webm;codecs=${codec},opus`,
    });
    await waitForDoc(server.url, id, "done");
    const doc: DocJson = await (await fetch(`${server.url}/api/videos/${id}/doc`)).json();
    assert.equal(doc.status, "done");
    assert.equal(
      doc.steps.length,
      rec.slides.length,
      JSON.stringify(doc.steps.map((s) => s.title)),
    );

    for (const [i, step] of doc.steps.entries()) {
      const slide = rec.slides[i];
      assert.ok(
        Math.abs(step.timestamp - rec.starts[i]) <= 1,
        `step ${i + 1} at ${step.timestamp}, slide at ${rec.starts[i]}`,
      );
      assert.equal(step.title, slide.heading);
      const { recall, missed } = wordRecall(slideText(slide), `${step.title}\n${step.text}`);

      assert.ok(recall >= 0.9, `step ${i + 1} recall ${recall}: missed ${missed}`);
    }
    const total = rec.slides.map(slideText).join("\n");
    const read = doc.steps.map((s) => `${s.title}\n${s.text}`).join("\n");
    const { recall, missed } = wordRecall(total, read);
    console.log(
      `${codec}: content-word recall ${(recall * 100).toFixed(1)} % (missed: ${
        missed.join(", ") || "none"
      })`,
    );
    assert.ok(recall >= 0.95, `recall ${recall}`);
  });
}
