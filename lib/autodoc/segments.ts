/**
 * Finding the distinct screens of a screen recording: small grayscale frames sampled at a steady
 * rate are compared one to the next; a run of frames that barely differ is a stable segment.
 */

/** A pixel counts as changed when its gray level moves by more than this (codec noise stays under it). */
export const PIXEL_DELTA = 24;
/**
 * Share of changed pixels that makes a new screen. Measured: a change of screen moved 3–38 % of the
 * pixels (3.6–4.1 % between the test recordings' console screens, which share their top bar and
 * menu; 9–49 % between VideoFlow's own pages), a moving cursor 0.06–0.15 % here and up to 1 %
 * elsewhere; 1.5 % keeps a margin both ways.
 */
export const CHANGE_SHARE = 0.015;
/** Shortest time a screen must hold to count as a step. */
export const MIN_STABLE_S = 1;

/** Share of pixels of two equal-sized gray frames whose levels differ by more than {@link PIXEL_DELTA}. */
export function frameDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length || a.length === 0) throw new RangeError("frames differ in size");
  let changed = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    if (d > PIXEL_DELTA || d < -PIXEL_DELTA) changed++;
  }
  return changed / a.length;
}

/** A stable segment: frames `first`..`last` (sample indices) show the same screen. */
export interface Segment {
  /** When the screen appeared, in seconds. */
  start: number;
  /** When it was last seen unchanged, in seconds. */
  end: number;
  /** Index of the frame to read: the last one of the run, with everything the screen came to show. */
  frame: number;
}

/**
 * Turns a stream of frames into stable segments. Feed frames in order with {@link push}; it returns
 * a segment once the run it belongs to ends; {@link finish} returns the last one.
 */
export class SegmentFinder {
  #prev: Uint8Array | null = null;
  #runStart = 0;
  #runStartIndex = 0;
  #last = 0;
  #lastIndex = -1;
  /** Largest change seen between two consecutive frames counted as the same screen, for tuning. */
  maxSameDiff = 0;

  constructor(
    readonly changeShare = CHANGE_SHARE,
    readonly minStableS = MIN_STABLE_S,
  ) {}

  /** Adds frame `index`, sampled at `time` seconds; returns the segment it closed, if any. */
  push(frame: Uint8Array, time: number, index: number): Segment | null {
    let closed: Segment | null = null;
    if (this.#prev) {
      const diff = frameDiff(this.#prev, frame);
      if (diff >= this.changeShare) {
        closed = this.#close();
        this.#runStart = time;
        this.#runStartIndex = index;
      } else {
        this.maxSameDiff = Math.max(this.maxSameDiff, diff);
      }
    } else {
      this.#runStart = time;
      this.#runStartIndex = index;
    }
    this.#prev = frame;
    this.#last = time;
    this.#lastIndex = index;
    return closed;
  }

  /** Ends the stream; returns the last segment, if it held long enough. */
  finish(): Segment | null {
    const closed = this.#close();
    this.#prev = null;
    return closed;
  }

  #close(): Segment | null {
    if (this.#lastIndex < this.#runStartIndex) return null;
    if (this.#last - this.#runStart < this.minStableS - 1e-6) return null;
    return { start: this.#runStart, end: this.#last, frame: this.#lastIndex };
  }
}
