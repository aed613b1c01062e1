import { CONSOLE_SLIDES, makeSlideRecording } from "./test_support/slides.ts";
const t = performance.now();
const r = await makeSlideRecording(CONSOLE_SLIDES);
console.log(r, performance.now() - t);
