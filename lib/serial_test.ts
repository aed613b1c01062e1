import assert from "node:assert/strict";
import { SerialQueue } from "./serial.ts";

Deno.test("operations run one at a time, in order, a failure stopping none of the next", async () => {
  const queue = new SerialQueue();
  const log: string[] = [];
  let running = 0;
  const op = (name: string, ms: number, fail = false) => () =>
    new Promise<string>((resolve, reject) => {
      running++;
      assert.equal(running, 1, "never two at once");
      log.push(`start ${name}`);
      setTimeout(() => {
        running--;
        log.push(`end ${name}`);
        fail ? reject(new Error(name)) : resolve(name);
      }, ms);
    });
  const a = queue.run(op("a", 30));
  const b = queue.run(op("b", 5, true));
  const c = queue.run(op("c", 1));
  assert.equal(await a, "a");
  await assert.rejects(b, /b/);
  assert.equal(await c, "c");
  await queue.idle();
  assert.deepEqual(log, ["start a", "end a", "start b", "end b", "start c", "end c"]);
});
