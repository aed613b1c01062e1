import assert from "node:assert/strict";
import { layerOf, layerViolations, relativeImports } from "./check_layers.ts";

Deno.test("every kind of import is found, bare and npm specifiers left out", () => {
  const source = `import { a } from "./a.ts";
import type { B } from "../lib/b.ts";
export { c } from "./c.ts";
import "./side_effect.ts";
const d = await import("../workers/d.ts");
import x from "hono";
import y from "npm:zod";`;
  assert.deepEqual(relativeImports(source), [
    "./a.ts",
    "../lib/b.ts",
    "./c.ts",
    "./side_effect.ts",
    "../workers/d.ts",
  ]);
});

Deno.test("files get their layer from where they live; tests and entry points apart", () => {
  assert.equal(layerOf("lib/videos.ts"), "lib");
  assert.equal(layerOf("lib/videos_test.ts"), "test");
  assert.equal(layerOf("workers/main.ts"), "entry");
  assert.equal(layerOf("workers/remux.ts"), "workers");
  assert.equal(layerOf("routes/api/videos.ts"), "routes");
  assert.equal(layerOf("islands/Player.tsx"), "islands");
  assert.equal(layerOf("app.ts"), "app");
  assert.equal(layerOf("test_support/server.ts"), "test");
  assert.equal(layerOf("README.md"), null);
});

Deno.test("an import against the order is reported; one along it is not", () => {
  const files = new Map([
    ["lib/server.ts", `import { createApp } from "../app.ts";\nimport { x } from "./config.ts";`],
    ["lib/config.ts", ""],
    ["islands/Player.tsx", `import { remux } from "../workers/remux.ts";`],
    ["routes/api/videos.ts", `import { getVideo } from "../../lib/videos/mod.ts";`],
    ["workers/remux.ts", `import { h } from "../test_support/helpers.ts";`],
    ["main.ts", `import { startServer } from "./server.ts";`],
  ]);
  assert.deepEqual(layerViolations(files).map((v) => [v.file, v.imports]), [
    ["lib/server.ts", "app.ts"],
    ["islands/Player.tsx", "workers/remux.ts"],
    ["workers/remux.ts", "test_support/helpers.ts"],
  ]);
});
