/**
 * The recorder: choose screen, camera or both, microphone and devices; 3-2-1; record with
 * MediaRecorder in 3-second chunks streamed to the server as they come; pause, stop, cancel; and
 * finish a recording that a reload or a crash interrupted.
 */
import { ApiRequestError, cancelRecording, createRecording, fetchVideo } from "./api.ts";
import { RecordingSession } from "./recorder/session.ts";
import { useEffect, useRef, useState } from "preact/hooks";
import { formatBytes, formatTime, storageKeys } from "../lib/format.ts";
import {
  type Capture,
  type Corner,
  levelMeter,
  listDevices,
  openCapture,
  pickMimeType,
  type Source,
} from "./recorder/capture.ts";
import { ChunkStore, type StoredRecording } from "./recorder/store.ts";
import { Uploader, type UploadState } from "./recorder/uploader.ts";

/** MediaRecorder's timeslice: a chunk every 3 s. */
const TIMESLICE_MS = 3000;

type Phase = "setup" | "starting" | "countdown" | "recording" | "paused" | "finishing";

const SOURCES: { id: Source; label: string; testid: string }[] = [
  { id: "screen", label: "Screen", testid: "source-screen" },
  { id: "camera", label: "Camera", testid: "source-camera" },
  { id: "both", label: "Screen + camera", testid: "source-both" },
];

const CORNERS: Corner[] = ["top-left", "top-right", "bottom-left", "bottom-right"];

const CONNECTION_TEXT: Record<UploadState["connection"], string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting… (chunks are kept)",
  http: "Uploading over HTTP",
  done: "Uploaded",
  failed: "Upload failed",
};

function createVideo(title: string, mimeType: string) {
  return createRecording(title, mimeType);
}

/**
 * The ingest socket's URL on the origin this page was loaded from, so it works behind any proxy
 * (an https page gets wss).
 */
function ingestUrlFor(id: string): string {
  return `${
    location.protocol === "https:" ? "wss" : "ws"
  }://${location.host}/api/videos/${id}/ingest`;
}

/** Stops, copies the link and opens the video's page. */
async function goToVideo(id: string) {
  const link = `${location.origin}/v/${id}`;
  await navigator.clipboard?.writeText(link).catch(() => {});
  location.assign(`/v/${id}`);
}

/** The recorder island. */
export function Recorder() {
  const [phase, setPhase] = useState<Phase>("setup");
  const [source, setSource] = useState<Source>("both");
  const [corner, setCorner] = useState<Corner>("bottom-right");
  const [micOn, setMicOn] = useState(true);
  const [level, setLevel] = useState(0);
  const [cameras, setCameras] = useState<MediaDeviceInfo[]>([]);
  const [mics, setMics] = useState<MediaDeviceInfo[]>([]);
  const [cameraId, setCameraId] = useState<string | null>(null);
  const [micId, setMicId] = useState<string | null>(null);
  const [title, setTitle] = useState("");
  const [count, setCount] = useState(3);
  const [elapsedMs, setElapsedMs] = useState(0);
  const [upload, setUpload] = useState<UploadState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [unfinished, setUnfinished] = useState<StoredRecording[]>([]);
  const [recovering, setRecovering] = useState(false);

  const store = useRef<ChunkStore | null>(null);
  const capture = useRef<Capture | null>(null);
  const micStream = useRef<MediaStream | null>(null);
  const session = useRef<RecordingSession | null>(null);
  const uploader = useRef<Uploader | null>(null);
  const recording = useRef<StoredRecording | null>(null);
  const preview = useRef<HTMLVideoElement>(null);
  const starting = useRef(false);
  const stopping = useRef(false);

  useEffect(() => {
    ChunkStore.open().then(async (s) => {
      store.current = s;
      setUnfinished((await s.unfinished()).filter((r) => r.lastSeq >= 0));
    }).catch(() =>
      setError("This browser's storage is unavailable: a reload would lose the recording.")
    );
    listDevices().then((d) => {
      setCameras(d.cameras);
      setMics(d.mics);
    }).catch(() => {});
  }, []);

  // The microphone and its level meter follow the toggle and the chosen device.
  useEffect(() => {
    if (!micOn) return;
    let stopMeter = () => {};
    let stream: MediaStream | null = null;
    navigator.mediaDevices.getUserMedia({ audio: micId ? { deviceId: { exact: micId } } : true })
      .then((s) => {
        stream = s;
        micStream.current = s;
        stopMeter = levelMeter(s, setLevel);
        listDevices().then((d) => (setMics(d.mics), setCameras(d.cameras))).catch(() => {});
      })
      .catch(() => setError("The microphone is not available: check the browser's permission."));
    // The settings cannot change while recording, so this runs on a new choice or on leaving.
    return () => {
      stopMeter();
      stream?.getTracks().forEach((t) => t.stop());
      if (micStream.current === stream) micStream.current = null;
    };
  }, [micOn, micId]);

  useEffect(() => {
    if (phase !== "recording") return;
    const timer = setInterval(() => setElapsedMs(elapsed()), 250);
    return () => clearInterval(timer);
  }, [phase]);

  function elapsed(): number {
    return session.current?.elapsedMs() ?? 0;
  }

  async function start() {
    // A second click while the first one is still asking for the screen does nothing.
    if (starting.current) return;
    starting.current = true;
    try {
      await begin();
    } finally {
      starting.current = false;
    }
  }

  async function begin() {
    setError(null);
    if (!store.current) return setError("This browser's storage is unavailable.");
    setPhase("starting");
    let cap: Capture;
    try {
      const mic = micOn ? micStream.current : null;
      cap = await openCapture({ source, cameraId, mic, corner });
    } catch (err) {
      setPhase("setup");
      return setError(`Could not capture: ${(err as Error).message}`);
    }
    capture.current = cap;
    const stream = cap.stream;
    if (preview.current) preview.current.srcObject = stream;
    // The person stopped sharing from the browser's own bar: that is a stop (or, during the
    // countdown, no recording at all).
    cap.sourceTrack.addEventListener("ended", () => stop());
    setPhase("countdown");
    const mimeType = pickMimeType();
    const created = createVideo(title, mimeType);
    for (let n = 3; n > 0 && cap.sourceTrack.readyState === "live"; n--) {
      setCount(n);
      await new Promise((r) => setTimeout(r, 1000));
    }
    let video;
    try {
      video = await created;
      if (cap.sourceTrack.readyState !== "live") throw new Error("The screen share ended.");
    } catch (err) {
      cap.stop();
      setPhase("setup");
      return setError((err as Error).message);
    }
    localStorage.setItem(storageKeys.owner(video.id), video.uploadToken);
    const rec: StoredRecording = {
      id: video.id,
      token: video.uploadToken,
      ingestUrl: ingestUrlFor(video.id),
      title: title || null,
      lastSeq: -1,
      durationMs: 0,
      startedAt: Date.now(),
    };
    recording.current = rec;
    await store.current.saveRecording(rec);
    const up = new Uploader(rec, store.current, setUpload);
    uploader.current = up;
    up.start();

    const mr = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
    const rs = new RecordingSession(rec, up, mr, (p) => {
      if (p === "recording" || p === "paused" || p === "finishing") setPhase(p);
    });
    session.current = rs;
    rs.begin(TIMESLICE_MS, () => stop());
  }

  function pause() {
    session.current?.togglePause();
  }

  /** Ends the capture now: the camera bubble's compositing, the microphone and its meter. */
  function release() {
    capture.current?.stop();
    micStream.current?.getTracks().forEach((t) => t.stop());
  }

  async function stop() {
    const rs = session.current;
    if (!rs || stopping.current) return;
    stopping.current = true;
    try {
      await rs.stop(release);
      await goToVideo(rs.rec.id);
    } catch (err) {
      setError(`The upload did not finish: ${(err as Error).message}. Reload to try again.`);
    }
  }

  async function cancel() {
    const rs = session.current;
    if (!confirm("Discard this recording? It cannot be recovered.")) return;
    stopping.current = true;
    // The microphone stays on: the setup the person comes back to keeps its meter.
    const endCapture = () => capture.current?.stop();
    if (rs) {
      await rs.cancel(endCapture);
      await discard(rs.rec);
    } else {
      endCapture();
    }
    stopping.current = false;
    session.current = null;
    recording.current = null;
    setUpload(null);
    setElapsedMs(0);
    setPhase("setup");
  }

  async function discard(rec: StoredRecording) {
    await cancelRecording(rec.id, rec.token).catch(() => {});
    await store.current?.deleteRecording(rec.id);
    setUnfinished((list) => list.filter((r) => r.id !== rec.id));
  }

  async function finishUnfinished(rec: StoredRecording) {
    if (!store.current) return;
    setRecovering(true);
    // Finished already (the tab closed between the server's answer and the cleanup)?
    const answer = await fetchVideo(rec.id).catch((err: ApiRequestError) => err);
    const current = answer instanceof ApiRequestError ? null : answer;
    const gone = answer instanceof ApiRequestError && answer.status === 404;
    if (gone || (current && current.status !== "recording")) {
      await store.current.deleteRecording(rec.id);
      if (current) return goToVideo(rec.id);
      setRecovering(false);
      setUnfinished((list) => list.filter((r) => r.id !== rec.id));
      return setError("That recording no longer exists on the server.");
    }
    rec.ingestUrl = ingestUrlFor(rec.id);
    const up = new Uploader(rec, store.current, setUpload);
    uploader.current = up;
    up.start();
    try {
      await up.finish(rec.lastSeq, rec.durationMs);
      await goToVideo(rec.id);
    } catch (err) {
      setRecovering(false);
      setError(`Could not finish it: ${(err as Error).message}`);
    }
  }

  const busy = phase !== "setup";
  const backlogWarning = upload && upload.backlog >= 3;
  return (
    <div class="mx-auto max-w-3xl">
      {unfinished.length > 0 && phase === "setup" && (
        <div
          data-testid="resume-offer"
          role="alert"
          class="mb-5 rounded-xl border border-amber-300 bg-amber-50 p-4"
        >
          <p class="font-medium text-amber-900">
            An unfinished recording is saved in this browser.
          </p>
          {unfinished.map((r) => (
            <div key={r.id} class="mt-2 flex flex-wrap items-center gap-3 text-sm">
              <span class="text-amber-900">
                {r.title || "Untitled recording"} · {formatTime(r.durationMs / 1000)} ·{" "}
                {r.lastSeq + 1} chunks
              </span>
              <button
                type="button"
                data-testid="resume-finish"
                disabled={recovering}
                class="rounded-md bg-amber-600 px-3 py-1.5 font-medium text-white hover:bg-amber-500 disabled:opacity-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-600"
                onClick={() =>
                  finishUnfinished(r)}
              >
                {recovering ? "Finishing…" : "Finish and upload"}
              </button>
              <button
                type="button"
                class="text-amber-900 underline focus-visible:outline-2 focus-visible:outline-amber-600"
                onClick={() =>
                  discard(r)}
              >
                Discard
              </button>
            </div>
          ))}
        </div>
      )}

      <div class="rounded-2xl border border-slate-200 bg-white p-5 shadow-sm">
        <fieldset disabled={busy} class="grid gap-4">
          <legend class="sr-only">What to record</legend>
          <div role="radiogroup" aria-label="Source" class="grid grid-cols-3 gap-2">
            {SOURCES.map((s) => (
              <button
                key={s.id}
                type="button"
                role="radio"
                aria-checked={source === s.id}
                data-testid={s.testid}
                onClick={() => setSource(s.id)}
                class={`rounded-lg border px-3 py-2 text-sm font-medium ${
                  source === s.id
                    ? "border-indigo-600 bg-indigo-50 text-indigo-800"
                    : "border-slate-300 hover:bg-slate-50"
                }`}
              >
                {s.label}
              </button>
            ))}
          </div>
          <label class="grid gap-1 text-sm">
            <span class="text-slate-600">Title</span>
            <input
              class="rounded-md border border-slate-300 px-3 py-2"
              value={title}
              maxLength={200}
              placeholder="Untitled recording"
              onInput={(e) => setTitle((e.target as HTMLInputElement).value)}
            />
          </label>
          <div class="grid gap-3 sm:grid-cols-2">
            <label class="grid gap-1 text-sm">
              <span class="text-slate-600">Camera</span>
              <select
                class="rounded-md border border-slate-300 bg-white px-2 py-2"
                disabled={source === "screen"}
                onChange={(e) => setCameraId((e.target as HTMLSelectElement).value || null)}
              >
                <option value="">Default camera</option>
                {cameras.map((d, i) => (
                  <option key={d.deviceId} value={d.deviceId}>
                    {d.label || `Camera ${i + 1}`}
                  </option>
                ))}
              </select>
            </label>
            <label class="grid gap-1 text-sm">
              <span class="text-slate-600">Microphone</span>
              <select
                class="rounded-md border border-slate-300 bg-white px-2 py-2"
                disabled={!micOn}
                onChange={(e) => setMicId((e.target as HTMLSelectElement).value || null)}
              >
                <option value="">Default microphone</option>
                {mics.map((d, i) => (
                  <option key={d.deviceId} value={d.deviceId}>
                    {d.label || `Microphone ${i + 1}`}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div class="flex flex-wrap items-center gap-4 text-sm">
            <label class="flex items-center gap-2">
              <input
                type="checkbox"
                checked={micOn}
                onChange={(e) => setMicOn((e.target as HTMLInputElement).checked)}
              />
              Microphone on
            </label>
            <div
              class="h-2 w-32 overflow-hidden rounded-full bg-slate-200"
              role="meter"
              aria-label="Microphone level"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(level * 100)}
            >
              <div
                class="h-full bg-emerald-500 transition-[width]"
                style={{ width: `${micOn ? level * 100 : 0}%` }}
              />
            </div>
          </div>
        </fieldset>

        {source === "both" && (
          <div class="mt-4 flex flex-wrap items-center gap-2 text-sm">
            <span class="text-slate-600">Camera bubble</span>
            {CORNERS.map((c) => (
              <button
                key={c}
                type="button"
                aria-pressed={corner === c}
                class={`rounded-md border px-2 py-1 ${
                  corner === c ? "border-indigo-600 bg-indigo-50" : "border-slate-300"
                }`}
                onClick={() => {
                  setCorner(c);
                  capture.current?.setCorner(c);
                }}
              >
                {c.replace("-", " ")}
              </button>
            ))}
          </div>
        )}

        <div class="relative mt-5 overflow-hidden rounded-xl bg-slate-900">
          <video
            ref={preview}
            muted
            autoPlay
            playsInline
            aria-label="Preview"
            class="aspect-video w-full"
          />
          {phase === "countdown" && (
            <div
              class="absolute inset-0 flex items-center justify-center bg-black/50 text-7xl font-bold text-white"
              aria-live="assertive"
            >
              {count}
            </div>
          )}
          {(phase === "recording" || phase === "paused") && (
            <div class="absolute left-3 top-3 flex items-center gap-2 rounded-full bg-black/60 px-3 py-1 text-sm text-white">
              <span
                class={`h-2.5 w-2.5 rounded-full ${
                  phase === "recording" ? "animate-pulse bg-rose-500" : "bg-amber-400"
                }`}
              />
              <span data-testid="elapsed" class="font-mono">{formatTime(elapsedMs / 1000)}</span>
            </div>
          )}
        </div>

        <div class="mt-5 flex flex-wrap items-center gap-3">
          {phase === "setup" && (
            <button
              type="button"
              data-testid="start"
              onClick={start}
              class="rounded-lg bg-rose-600 px-5 py-2.5 font-semibold text-white shadow hover:bg-rose-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-rose-600"
            >
              Start recording
            </button>
          )}
          {(phase === "recording" || phase === "paused") && (
            <>
              <button
                type="button"
                data-testid="stop"
                onClick={stop}
                class="rounded-lg bg-slate-900 px-5 py-2.5 font-semibold text-white hover:bg-slate-700"
              >
                Stop
              </button>
              <button
                type="button"
                data-testid="pause"
                onClick={pause}
                class="rounded-lg border border-slate-300 px-4 py-2.5 font-medium hover:bg-slate-50"
              >
                {phase === "paused" ? "Resume" : "Pause"}
              </button>
              <button
                type="button"
                data-testid="cancel"
                onClick={cancel}
                class="rounded-lg px-4 py-2.5 font-medium text-rose-700 hover:bg-rose-50 focus-visible:outline-2 focus-visible:outline-rose-600"
              >
                Cancel
              </button>
            </>
          )}
          {phase === "finishing" && <span class="text-slate-600">Finishing the upload…</span>}
        </div>

        {upload && (
          <dl
            data-testid="upload-status"
            class="mt-5 grid grid-cols-2 gap-3 text-sm sm:grid-cols-4"
          >
            <div>
              <dt class="text-slate-500">Connection</dt>
              <dd data-testid="connection" class="font-medium">
                {CONNECTION_TEXT[upload.connection]}
              </dd>
            </div>
            <div>
              <dt class="text-slate-500">Sent</dt>
              <dd class="font-mono">{formatBytes(upload.bytesSent)}</dd>
            </div>
            <div>
              <dt class="text-slate-500">Safe on the server</dt>
              <dd class="font-mono">{formatBytes(upload.bytesDurable)}</dd>
            </div>
            <div>
              <dt class="text-slate-500">Waiting</dt>
              <dd class="font-mono">{upload.backlog} chunks</dd>
            </div>
          </dl>
        )}
        {backlogWarning && (
          <p role="status" class="mt-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
            The upload is falling behind. Keep recording: every chunk is kept in this browser until
            the server has it.
          </p>
        )}
        {error && (
          <p role="alert" class="mt-3 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
            {error}
          </p>
        )}
      </div>
    </div>
  );
}
