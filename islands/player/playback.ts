/**
 * What the player plays and how it follows the server: the video's files offered as `<source>`s
 * (only those this browser says it plays), swapped in when the remuxed file or a rendition this
 * browser waits for arrives, polled while the video, its guide or its rendition is not final,
 * and a few fresh URLs when playback fails.
 */
import type { RefObject } from "preact";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { type DocView, fetchVideo, type RenditionView, type VideoView } from "../api.ts";
import { playableSources } from "./sources.ts";

/** Where to go back to after the element reloads (its place, and whether it was playing). */
export type ResumePoint = { time: number; play: boolean } | null;

/** Follows the video `initial` for the player; see the module's comment. */
export function usePlayback(
  initial: VideoView,
  videoRef: RefObject<HTMLVideoElement>,
  resumeAt: { current: ResumePoint },
  on: { onDuration: (seconds: number) => void; onNotice: (text: string) => void },
) {
  const [video, setVideo] = useState(initial);
  const [doc, setDoc] = useState<DocView>(initial.doc);
  const [rendition, setRendition] = useState<RenditionView>(initial.rendition);
  // What this browser says it plays; unknown on the server, so the first render offers every file.
  const [canPlay, setCanPlay] = useState<((type: string) => boolean) | null>(null);
  const choice = useMemo(
    () =>
      canPlay
        ? playableSources(video.sources, canPlay)
        : { sources: video.sources, playable: true },
    [video.sources, canPlay],
  );
  // Every file failed although the browser claimed it could play one (a "maybe" that was wrong).
  const [mediaFailed, setMediaFailed] = useState(false);
  const unplayable = (!choice.playable || mediaFailed) && video.sources.length > 0;

  useEffect(() => {
    const probe = document.createElement("video");
    setCanPlay(() => (type: string) => probe.canPlayType(type) !== "");
  }, []);

  // A changed list of <source>s is not picked up by the element by itself.
  const sourcesKey = choice.sources.map((s) => s.url).join(" ");
  const loadedSources = useRef(sourcesKey);
  useEffect(() => {
    if (loadedSources.current === sourcesKey) return;
    loadedSources.current = sourcesKey;
    const el = videoRef.current;
    if (!el) return;
    // Keep the place (or `?t=`, already applied) across the reload.
    if (el.readyState >= 1 && !resumeAt.current) {
      resumeAt.current = { time: el.currentTime, play: !el.paused };
    }
    setMediaFailed(false);
    el.load();
  }, [sourcesKey]);

  /**
   * Fetches the video again. Its URLs are swapped in (keeping the position) only when the current
   * one failed, the status changed (the remuxed file replaces the raw upload), or the rendition
   * this browser waits for arrived: every answer is freshly signed, so comparing URLs would reload
   * the video on every poll.
   */
  const refresh = useCallback(async (failed: boolean) => {
    const el = videoRef.current;
    const fresh = await fetchVideo(initial.id).catch((err: Error) => err);
    if (fresh instanceof Error) {
      return (fresh as { status?: number }).status === 404 ? "gone" : "error";
    }
    setDoc(fresh.doc);
    setRendition(fresh.rendition);
    const awaited = unplayable && fresh.rendition.status !== video.rendition.status;
    if (!failed && fresh.status === video.status && !awaited) return "same";
    // Keep `?t=` if the very first load failed before reaching it.
    if (el && el.readyState >= 1) resumeAt.current = { time: el.currentTime, play: !el.paused };
    setVideo(fresh);
    if (fresh.duration) on.onDuration(fresh.duration);
    return "changed";
  }, [video.status, video.rendition.status, unplayable]);

  // While the video, its guide or its rendition is not final yet, follow them, less often while
  // the tab is hidden.
  const docBusy = doc.status === "pending" || doc.status === "running";
  // Only a viewer who cannot play what is there waits for the rendition.
  const renditionBusy = unplayable &&
    (rendition.status === "pending" || rendition.status === "running");
  // A version this browser plays may still come: the rendition is queued once processing ends.
  const mayGetPlayable = renditionBusy || (unplayable && video.status === "processing");
  useEffect(() => {
    if (
      video.status !== "processing" && video.status !== "recording" && !docBusy && !renditionBusy
    ) {
      return;
    }
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      if (stopped) return;
      const outcome = document.hidden ? "same" : await refresh(false);
      if (outcome === "gone" || stopped) return;
      timer = setTimeout(poll, document.hidden ? 15_000 : docBusy ? 1500 : 3000);
    };
    timer = setTimeout(poll, docBusy ? 1500 : 3000);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [video.status, docBusy, renditionBusy, refresh]);

  /** A network error or an expired URL: a few fresh URLs, no endless loop on an unplayable file. */
  const failures = useRef(0);
  const onError = (e: Event) => {
    // An error on the last <source>: every file failed (the element's own `error` stays null).
    const fromSource = e.currentTarget instanceof HTMLSourceElement;
    const code = videoRef.current?.error?.code;
    if (
      !fromSource && code !== MediaError.MEDIA_ERR_NETWORK &&
      code !== MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED
    ) {
      return;
    }
    // Nothing here this browser plays: the rendition on its way will be loaded when it is made.
    if (
      (fromSource || code === MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED) &&
      (rendition.status === "pending" || rendition.status === "running")
    ) {
      setMediaFailed(true);
      return;
    }
    if (failures.current++ >= 3) return on.onNotice("The video cannot be played right now.");
    setTimeout(() => refresh(true), 500 * failures.current);
  };

  return { video, setVideo, doc, setDoc, choice, unplayable, mayGetPlayable, docBusy, onError };
}
