import assert from "node:assert/strict";
import { colorFor, COLORS } from "./collab.ts";

/** WCAG's contrast ratio of a colour against white. */
function contrastWithWhite(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return 1.05 / (l + 0.05);
}

Deno.test("every presence colour carries white initials at WCAG AA contrast", () => {
  for (const c of COLORS) assert.ok(contrastWithWhite(c) >= 4.5, `${c}: ${contrastWithWhite(c)}`);
  assert.ok(contrastWithWhite("#16a34a") < 4.5, "the measure tells a light colour apart");
});

Deno.test("a name gets the same colour every time, from the palette", () => {
  assert.equal(colorFor("Guest 123"), colorFor("Guest 123"));
  assert.ok(COLORS.includes(colorFor("Ana")));
});
