/**
 * The JSON the API answers with, as both sides see it: the server builds it (`lib/videos/`), the
 * islands read it (`islands/api.ts`). Types only, so the browser bundles nothing of the
 * server's.
 */

/** Video statuses, in the order a recording passes them. */
export type VideoStatus =
  | "recording"
  | "processing"
  | "ready"
  | "failed"
  | "cancelled"
  | "deleting";

/** Where a video's guide is: queued, being made, made, or failed (null: not asked for). */
export type DocStatus = "pending" | "running" | "done" | "failed";

/** Where a video's MP4 rendition is (null: none needed, or renditions are off). */
export type RenditionStatus = "pending" | "running" | "done" | "failed";

/** Who may see a video: only its owner, or anyone with the link. */
export type Visibility = "private" | "link";

/** One file a player may play: its MIME type (with codecs when known) and a short-lived URL. */
export interface VideoSource {
  type: string;
  url: string;
}

/** Where a video's guide is (`doc` of the video JSON). */
export interface DocView {
  status: DocStatus | null;
  progress: number | null;
  error: string | null;
}

/** Where a video's MP4 rendition is (`rendition` of the video JSON). */
export interface RenditionView {
  status: RenditionStatus | null;
  error: string | null;
}

/** A video as `GET /api/videos` lists it. */
export interface VideoJson {
  id: string;
  title: string | null;
  status: VideoStatus;
  duration: number | null;
  mimeType: string;
  sizeBytes: number;
  recovered: boolean;
  error: string | null;
  doc: DocView;
  createdAt: string;
  finishedAt: string | null;
  /** The player page. */
  url: string;
  visibility: Visibility;
  rendition: RenditionView;
  /** Whether the person asking owns it (present when the answer knows who asks). */
  owned?: boolean;
}

/** A video as `GET /api/videos/{id}` answers it to someone allowed to watch it. */
export interface PlayableVideoJson extends VideoJson {
  /** Short-lived; null while nothing can be played. */
  playbackUrl: string | null;
  /** The files to offer as `<source>`s, in the order to try them (empty: nothing to play yet). */
  sources: VideoSource[];
  thumbnailUrl: string | null;
}
