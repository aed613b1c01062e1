import assert from "node:assert/strict";
import { safeNext } from "./auth.tsx";

Deno.test("after signing in, only a path on this site is followed", () => {
  for (const kept of ["/record", "/v/abc?t=1.5#steps", "/v/x/doc"]) {
    assert.equal(safeNext(kept), kept);
  }
  for (
    const refused of [
      undefined,
      "",
      "//evil.example",
      "/\t/evil.example",
      "/\n/evil.example",
      "/\\evil.example",
      "https://evil.example/",
      "javascript:alert(1)",
      "//ivs%=>u",
      "/" + "x".repeat(600),
    ]
  ) {
    assert.equal(safeNext(refused), "/", JSON.stringify(refused));
  }
});
