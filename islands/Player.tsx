/**
 * The player page's island: the video, its timeline with markers, the overlay of annotations, the
 * comment list and composer, keyboard control, title, share and download.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { storageKeys } from "../lib/format.ts";
import {
  type AnnotationView,
  ownerToken,
  regenerateDoc,
  updateVideo,
  type VideoView,
} from "./api.ts";
import { colorFor, useCollab } from "./player/collab.ts";
import { Overlay } from "./player/Overlay.tsx";
import { Timeline } from "./player/Timeline.tsx";
import { activeStep, Steps } from "./player/Steps.tsx";
import { stepsAmong } from "../lib/step_order.ts";
import { usePlayback } from "./player/playback.ts";
import { useShortcuts } from "./player/shortcuts.ts";
import { Comments } from "./player/Comments.tsx";
import { Header } from "./player/Header.tsx";

/** Props of the player island. */
export interface PlayerProps {
  video: VideoView;
  annotations: AnnotationView[];
  /** `?t=` of the page: where playback starts, in seconds. */
  startAt: number | null;
}

const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];

/** Whether this browser may delete a comment: it wrote it, or it owns the video. */
function canDelete(videoId: string, uid: string, owned: boolean): boolean {
  try {
    return owned || localStorage.getItem(storageKeys.comment(uid)) !== null ||
      ownerToken(videoId) !== null;
  } catch {
    return false;
  }
}

/** The interactive player. */
export function Player({ video: initial, annotations: initialAnnotations, startAt }: PlayerProps) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const collab = useCollab(initial.id, initialAnnotations);
  // Comments and guide steps share the document; they are shown apart.
  const annotations = useMemo(
    () => collab.annotations.filter((a) => a.type !== "step"),
    [collab.annotations],
  );
  const steps = useMemo(() => stepsAmong(collab.annotations), [collab.annotations]);
  const [tab, setTab] = useState<"comments" | "steps">("comments");
  const [currentTime, setCurrentTime] = useState(startAt ?? 0);
  const [duration, setDuration] = useState<number | null>(initial.duration);
  const [playing, setPlaying] = useState(false);
  const [rate, setRate] = useState(1);
  const [draft, setDraft] = useState("");
  const [commentAt, setCommentAt] = useState<number | null>(null);
  const [author, setAuthor] = useState("");
  const [isOwner, setIsOwner] = useState(false);
  const [title, setTitle] = useState(initial.title ?? "");
  const [notice, setNotice] = useState<string | null>(null);
  const [, setTick] = useState(0);
  const resumeAt = useRef<{ time: number; play: boolean } | null>(
    startAt !== null ? { time: startAt, play: false } : null,
  );
  const {
    video,
    setVideo,
    doc,
    setDoc,
    choice,
    unplayable,
    mayGetPlayable,
    docBusy,
    onError,
  } = usePlayback(initial, videoRef, resumeAt, {
    onDuration: (d) => setDuration(d),
    onNotice: (n) => setNotice(n),
  });

  useEffect(() => {
    // Owned through the account, or (a video from before accounts) through its upload token.
    setIsOwner(initial.owned === true || ownerToken(initial.id) !== null);
    // Asked once (the name field), remembered; a guest name until then.
    let name = localStorage.getItem(storageKeys.author);
    if (!name) {
      name = `Guest ${Math.floor(100 + Math.random() * 900)}`;
      localStorage.setItem(storageKeys.author, name);
    }
    setAuthor(name);
    // Deletability depends on this browser's storage: render again now that it can be read.
    setTick((n) => n + 1);
  }, []);

  // Presence: who this viewer is (sent again after each reconnect).
  useEffect(() => {
    if (author.trim()) collab.setUser(author.trim(), colorFor(author.trim()));
  }, [author, collab.status]);

  const seek = useCallback((t: number) => {
    const el = videoRef.current;
    if (!el) return;
    const max = Number.isFinite(el.duration) ? el.duration : (duration ?? t);
    el.currentTime = Math.max(0, Math.min(t, max));
    setCurrentTime(el.currentTime);
  }, [duration]);

  const regenerate = async () => {
    try {
      await regenerateDoc(video.id);
      setDoc({ status: "pending", progress: 0, error: null });
      setTab("steps");
    } catch (err) {
      setNotice(`The guide was not started: ${(err as Error).message}`);
    }
  };

  useShortcuts(videoRef, seek, (at) => {
    setTab("comments");
    setCommentAt(at);
    inputRef.current?.focus();
  });

  const submit = (e: Event) => {
    e.preventDefault();
    const content = draft.trim();
    if (!content) return;
    const timestamp = commentAt ?? videoRef.current?.currentTime ?? currentTime;
    if (author.trim()) localStorage.setItem(storageKeys.author, author.trim());
    // Into the live document: everyone sees it at once; offline, it is sent on reconnect.
    const id = crypto.randomUUID();
    localStorage.setItem(storageKeys.comment(id), "own");
    collab.add({
      id,
      timestamp,
      content,
      type: "comment",
      author: author.trim() || null,
      createdAt: new Date().toISOString(),
    });
    setDraft("");
    setCommentAt(null);
  };

  const remove = (uid: string) => {
    collab.remove(uid);
    localStorage.removeItem(storageKeys.comment(uid));
  };

  const saveTitle = async () => {
    if (title.trim() === (video.title ?? "")) return;
    try {
      setVideo(await updateVideo(video.id, { title: title.trim() }));
      setNotice("Title saved");
    } catch (err) {
      setNotice(`Title not saved: ${(err as Error).message}`);
    }
  };

  const changeVisibility = async (visibility: "private" | "link") => {
    try {
      const updated = await updateVideo(video.id, { visibility });
      setVideo((v) => ({ ...v, visibility: updated.visibility }));
      setNotice(
        visibility === "private"
          ? "Only you can see this video now"
          : "Anyone with the link can see this video",
      );
    } catch (err) {
      setNotice(`Not changed: ${(err as Error).message}`);
    }
  };

  const share = async () => {
    const url = `${location.origin}/v/${video.id}`;
    try {
      await navigator.clipboard.writeText(url);
      setNotice("Link copied");
    } catch {
      setNotice(url);
    }
  };

  const stampedAt = commentAt ?? currentTime;
  return (
    <div class="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <section aria-label="Video">
        <Header
          isOwner={isOwner}
          savedTitle={video.title}
          title={title}
          onTitle={setTitle}
          onSaveTitle={saveTitle}
          viewers={collab.viewers}
          collabStatus={collab.status}
          status={video.status}
        />
        {video.status === "failed" && video.error && (
          <p class="mb-3 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">{video.error}</p>
        )}
        <div class="relative overflow-hidden rounded-xl bg-black shadow">
          <video
            ref={videoRef}
            data-testid="player"
            class="aspect-video w-full bg-black"
            src={choice.sources.length === 0 ? video.playbackUrl ?? undefined : undefined}
            controls
            playsInline
            preload="metadata"
            aria-label="Recording"
            onLoadedMetadata={(e) => {
              const el = e.currentTarget as HTMLVideoElement;
              if (Number.isFinite(el.duration)) setDuration(el.duration);
              el.playbackRate = rate;
              const resume = resumeAt.current;
              resumeAt.current = null;
              if (resume) {
                el.currentTime = resume.time;
                if (resume.play) el.play().catch(() => {});
              }
            }}
            onDurationChange={(e) => {
              const d = (e.currentTarget as HTMLVideoElement).duration;
              if (Number.isFinite(d)) setDuration(d);
            }}
            onTimeUpdate={(e) => {
              const el = e.currentTarget as HTMLVideoElement;
              setCurrentTime(el.currentTime);
              collab.setPlayhead(el.currentTime, !el.paused);
            }}
            onPlay={(e) => {
              setPlaying(true);
              collab.setPlayhead((e.currentTarget as HTMLVideoElement).currentTime, true);
            }}
            onPause={(e) => {
              setPlaying(false);
              collab.setPlayhead((e.currentTarget as HTMLVideoElement).currentTime, false);
            }}
            onSeeked={(e) => {
              const el = e.currentTarget as HTMLVideoElement;
              collab.setPlayhead(el.currentTime, !el.paused);
            }}
            onError={onError}
          >
            {choice.sources.map((s, i) => (
              <source
                key={s.url}
                src={s.url}
                type={s.type}
                // With <source>s, a failure is reported on the last one, not on the video.
                onError={i === choice.sources.length - 1 ? onError : undefined}
              />
            ))}
          </video>
          <Overlay annotations={annotations} currentTime={currentTime} />
          {unplayable && (
            <p
              role="status"
              data-testid="rendition-wait"
              class="absolute inset-x-0 top-0 bg-slate-900/80 px-3 py-2 text-sm text-white"
            >
              {mayGetPlayable
                ? "Making a version this browser can play. It starts by itself when ready."
                : "This browser cannot play this recording. Try Chrome, Firefox or Edge."}
            </p>
          )}
        </div>
        <Timeline
          duration={duration}
          currentTime={currentTime}
          annotations={annotations}
          steps={steps}
          viewers={collab.viewers.filter((v) => !v.self)}
          onSeek={seek}
        />
        <div class="mt-3 flex flex-wrap items-center gap-2 text-sm">
          <button
            type="button"
            class="rounded-md bg-slate-900 px-3 py-1.5 font-medium text-white hover:bg-slate-700"
            onClick={() => {
              const el = videoRef.current;
              if (el) el.paused ? el.play().catch(() => {}) : el.pause();
            }}
          >
            {playing ? "Pause" : "Play"}
          </button>
          <label class="flex items-center gap-1 text-slate-600">
            Speed
            <select
              aria-label="Playback speed"
              class="rounded-md border border-slate-300 bg-white px-2 py-1"
              value={String(rate)}
              onChange={(e) => {
                const r = Number((e.target as HTMLSelectElement).value);
                setRate(r);
                if (videoRef.current) videoRef.current.playbackRate = r;
              }}
            >
              {SPEEDS.map((s) => <option key={s} value={String(s)}>{s}×</option>)}
            </select>
          </label>
          <button
            type="button"
            onClick={share}
            class="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-100"
          >
            Copy link
          </button>
          {isOwner && (
            <select
              aria-label="Who can see this video"
              data-testid="visibility"
              class="rounded-md border border-slate-300 bg-white px-2 py-1.5"
              value={video.visibility}
              onChange={(e) =>
                changeVisibility((e.target as HTMLSelectElement).value as "private" | "link")}
            >
              <option value="link">Anyone with the link</option>
              <option value="private">Only me</option>
            </select>
          )}
          {(choice.sources[0]?.url ?? video.playbackUrl) && (
            <a
              href={choice.sources[0]?.url ?? video.playbackUrl ?? undefined}
              download={`${video.title || "recording"}.${
                (choice.sources[0]?.type ?? video.mimeType).includes("mp4") ? "mp4" : "webm"
              }`}
              class="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-100"
            >
              Download
            </a>
          )}
          <span class="ml-auto hidden text-xs text-slate-500 sm:inline">
            Space/K play · J/L ±5 s · ←/→ ±1 s · C comment
          </span>
        </div>
        {notice && (
          <p role="status" class="mt-2 text-sm text-slate-600">
            {notice}
          </p>
        )}
      </section>

      <aside
        aria-label="Comments and steps"
        class="flex flex-col rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
      >
        <div role="tablist" class="mb-3 flex gap-1 border-b border-slate-200">
          {(["comments", "steps"] as const).map((t) => (
            <button
              type="button"
              role="tab"
              key={t}
              data-testid={`tab-${t}`}
              aria-selected={tab === t}
              class={`-mb-px border-b-2 px-3 py-1.5 text-sm font-semibold ${
                tab === t
                  ? "border-indigo-600 text-indigo-700"
                  : "border-transparent text-slate-500 hover:text-slate-800"
              }`}
              onClick={() => setTab(t)}
            >
              {t === "comments" ? `Comments (${annotations.length})` : `Steps (${steps.length})`}
              {t === "steps" && docBusy && (
                <span class="ml-1 text-xs font-normal text-indigo-600">{doc.progress ?? 0} %</span>
              )}
            </button>
          ))}
        </div>
        {tab === "steps" && (
          <Steps
            videoId={video.id}
            steps={steps}
            doc={doc}
            activeId={activeStep(steps, currentTime)?.id ?? null}
            isOwner={isOwner}
            onSeek={seek}
            onRegenerate={regenerate}
          />
        )}
        <div class={tab === "comments" ? "flex flex-1 flex-col" : "hidden"}>
          <Comments
            annotations={annotations}
            canDelete={(uid) => canDelete(video.id, uid, isOwner)}
            onSeek={seek}
            onRemove={remove}
            author={author}
            onAuthor={setAuthor}
            draft={draft}
            onDraft={setDraft}
            stampedAt={stampedAt}
            inputRef={inputRef}
            onFocusInput={() =>
              commentAt === null && setCommentAt(videoRef.current?.currentTime ?? currentTime)}
            onSubmit={submit}
          />
        </div>
      </aside>
    </div>
  );
}
