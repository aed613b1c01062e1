/**
 * Getting what to record: the screen, the camera, or the screen with a round camera bubble drawn
 * over a corner on a canvas; the microphone; and the recorder's MIME type.
 */

/** What the person chose to record. */
export type Source = "screen" | "camera" | "both";

/** Where the camera bubble sits. */
export type Corner = "top-left" | "top-right" | "bottom-left" | "bottom-right";

/** A stream to record, and how to let go of everything behind it. */
export interface Capture {
  stream: MediaStream;
  /** The captured source (screen, else camera): when it ends, the recording should stop. */
  sourceTrack: MediaStreamTrack;
  /** Moves the camera bubble (compositing only). */
  setCorner(corner: Corner): void;
  stop(): void;
}

/** The best MIME type this browser records: VP9, then VP8 (both with Opus), then its default. */
export function pickMimeType(): string {
  for (
    const t of [
      "video/webm;codecs=vp9,opus",
      "video/webm;codecs=vp8,opus",
      "video/webm",
      "video/mp4",
    ]
  ) {
    if (typeof MediaRecorder !== "undefined" && MediaRecorder.isTypeSupported(t)) return t;
  }
  return "";
}

/** Cameras and microphones, by kind. */
export async function listDevices(): Promise<
  { cameras: MediaDeviceInfo[]; mics: MediaDeviceInfo[] }
> {
  const all = await navigator.mediaDevices.enumerateDevices();
  return {
    cameras: all.filter((d) => d.kind === "videoinput"),
    mics: all.filter((d) => d.kind === "audioinput"),
  };
}

function playing(stream: MediaStream): Promise<HTMLVideoElement> {
  const v = document.createElement("video");
  v.muted = true;
  v.playsInline = true;
  v.srcObject = stream;
  return v.play().then(() => v);
}

/** Opens the chosen sources and, for "both", composites them on a canvas. */
export async function openCapture(opts: Parameters<typeof open>[0]): Promise<Capture> {
  const owned: MediaStream[] = [];
  try {
    return await open(opts, owned);
  } catch (err) {
    // A camera refused after the screen was shared must not leave the screen shared.
    owned.forEach((s) => s.getTracks().forEach((t) => t.stop()));
    throw err;
  }
}

async function open(opts: {
  source: Source;
  cameraId: string | null;
  mic: MediaStream | null;
  corner: Corner;
}, owned: MediaStream[]): Promise<Capture> {
  const camera = () =>
    navigator.mediaDevices.getUserMedia({
      video: opts.cameraId ? { deviceId: { exact: opts.cameraId } } : { width: 1280, height: 720 },
    });
  const withMic = (video: MediaStream) =>
    new MediaStream([...video.getVideoTracks(), ...(opts.mic?.getAudioTracks() ?? [])]);
  const stopAll = () => owned.forEach((s) => s.getTracks().forEach((t) => t.stop()));

  if (opts.source === "camera") {
    const cam = await camera();
    owned.push(cam);
    return {
      stream: withMic(cam),
      sourceTrack: cam.getVideoTracks()[0],
      setCorner: () => {},
      stop: stopAll,
    };
  }
  const screen = await navigator.mediaDevices.getDisplayMedia({
    video: { frameRate: 30 },
    audio: false,
  });
  owned.push(screen);
  if (opts.source === "screen") {
    return {
      stream: withMic(screen),
      sourceTrack: screen.getVideoTracks()[0],
      setCorner: () => {},
      stop: stopAll,
    };
  }
  const cam = await camera();
  owned.push(cam);
  const [screenVideo, camVideo] = await Promise.all([playing(screen), playing(cam)]);
  const canvas = document.createElement("canvas");
  const settings = screen.getVideoTracks()[0].getSettings();
  canvas.width = settings.width ?? 1280;
  canvas.height = settings.height ?? 720;
  const ctx = canvas.getContext("2d")!;
  let corner = opts.corner;
  // A timer rather than requestAnimationFrame: it keeps drawing while the tab is in the background.
  const timer = setInterval(() => {
    ctx.drawImage(screenVideo, 0, 0, canvas.width, canvas.height);
    const d = Math.round(Math.min(canvas.width, canvas.height) * 0.28);
    const m = Math.round(d * 0.12);
    const x = corner.endsWith("left") ? m : canvas.width - d - m;
    const y = corner.startsWith("top") ? m : canvas.height - d - m;
    const side = Math.min(camVideo.videoWidth, camVideo.videoHeight) || 1;
    ctx.save();
    ctx.beginPath();
    ctx.arc(x + d / 2, y + d / 2, d / 2, 0, Math.PI * 2);
    ctx.clip();
    ctx.drawImage(
      camVideo,
      (camVideo.videoWidth - side) / 2,
      (camVideo.videoHeight - side) / 2,
      side,
      side,
      x,
      y,
      d,
      d,
    );
    ctx.restore();
    ctx.lineWidth = Math.max(2, d * 0.03);
    ctx.strokeStyle = "white";
    ctx.beginPath();
    ctx.arc(x + d / 2, y + d / 2, d / 2, 0, Math.PI * 2);
    ctx.stroke();
  }, 1000 / 30);
  const composed = canvas.captureStream(30);
  return {
    stream: withMic(composed),
    sourceTrack: screen.getVideoTracks()[0],
    setCorner: (c) => (corner = c),
    stop: () => {
      clearInterval(timer);
      composed.getTracks().forEach((t) => t.stop());
      stopAll();
    },
  };
}

/** Measures a microphone's level (0..1) for the meter. */
export function levelMeter(mic: MediaStream, onLevel: (level: number) => void): () => void {
  const audio = new AudioContext();
  const analyser = audio.createAnalyser();
  analyser.fftSize = 512;
  audio.createMediaStreamSource(mic).connect(analyser);
  const data = new Uint8Array(analyser.fftSize);
  const timer = setInterval(() => {
    analyser.getByteTimeDomainData(data);
    let sum = 0;
    for (const v of data) sum += ((v - 128) / 128) ** 2;
    onLevel(Math.min(1, Math.sqrt(sum / data.length) * 4));
  }, 100);
  return () => {
    clearInterval(timer);
    audio.close();
  };
}
