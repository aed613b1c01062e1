/** The library: a card per video, newest first, with rename and delete for the owner. */
import { useEffect, useState } from "preact/hooks";
import { formatTime, storageKeys } from "../lib/format.ts";
import { ApiRequestError, deleteVideo, updateVideo, type VideoView } from "./api.ts";

/** Props of the library island. */
export interface LibraryProps {
  videos: VideoView[];
}

function ownerOf(id: string): string | null {
  try {
    return localStorage.getItem(storageKeys.owner(id));
  } catch {
    return null;
  }
}

/** The grid of video cards. */
export function Library({ videos: initial }: LibraryProps) {
  const [videos, setVideos] = useState(initial);
  const [owned, setOwned] = useState<Record<string, boolean>>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setOwned(
      Object.fromEntries(initial.map((v) => [v.id, v.owned === true || ownerOf(v.id) !== null])),
    );
  }, []);

  const rename = async (v: VideoView) => {
    const title = prompt("Title", v.title ?? "");
    if (title === null) return;
    const updated = await updateVideo(v.id, { title }).catch(() => null);
    if (!updated) return setError("Could not rename the video");
    setVideos((list) => list.map((x) => (x.id === v.id ? { ...x, title: updated.title } : x)));
  };

  const remove = async (v: VideoView) => {
    if (!confirm(`Delete “${v.title || "Untitled recording"}”? This cannot be undone.`)) return;
    const failed = await deleteVideo(v.id).then(() => null, (err: ApiRequestError) => err);
    if (failed && failed.status !== 404) return setError("Could not delete the video");
    localStorage.removeItem(storageKeys.owner(v.id));
    setVideos((list) => list.filter((x) => x.id !== v.id));
  };

  if (videos.length === 0) {
    return (
      <div class="rounded-2xl border-2 border-dashed border-slate-300 bg-white px-6 py-16 text-center">
        <h2 class="text-xl font-semibold">No recordings yet</h2>
        <p class="mx-auto mt-2 max-w-md text-slate-600">
          Record your screen, camera and voice. The link is ready the moment you stop.
        </p>
        <a
          href="/record"
          class="mt-6 inline-block rounded-lg bg-indigo-600 px-5 py-2.5 font-medium text-white hover:bg-indigo-500"
        >
          Record your first video
        </a>
      </div>
    );
  }

  return (
    <div>
      {error && (
        <p role="alert" class="mb-4 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
          {error}
        </p>
      )}
      <ul class="grid gap-5 sm:grid-cols-2 lg:grid-cols-3">
        {videos.map((v) => (
          <li
            key={v.id}
            data-testid="video-card"
            class="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm"
          >
            <a
              href={`/v/${v.id}`}
              class="block"
            >
              <div class="relative aspect-video bg-slate-200">
                {v.thumbnailUrl
                  ? (
                    <img
                      src={v.thumbnailUrl}
                      alt=""
                      class="h-full w-full object-cover"
                      loading="lazy"
                    />
                  )
                  : (
                    <div class="flex h-full items-center justify-center text-sm text-slate-500">
                      {v.status}
                    </div>
                  )}
                {v.duration !== null && (
                  <span class="absolute bottom-2 right-2 rounded bg-black/75 px-1.5 py-0.5 font-mono text-xs text-white">
                    {formatTime(v.duration)}
                  </span>
                )}
              </div>
              <div class="px-4 pt-3">
                <h2 class="truncate font-medium">{v.title || "Untitled recording"}</h2>
                <p class="mt-1 text-xs text-slate-500">
                  <time dateTime={v.createdAt}>
                    {new Date(v.createdAt).toISOString().slice(0, 10)}
                  </time>
                  {" · "}
                  <span>{v.status}</span>
                </p>
              </div>
            </a>
            <div class="flex gap-3 px-4 pb-3 pt-2 text-sm">
              {v.doc?.status === "done" && (
                <a
                  href={`/v/${v.id}/doc`}
                  data-testid="guide-link"
                  class="text-indigo-700 hover:underline"
                >
                  Guide
                </a>
              )}
              {owned[v.id] && (
                <>
                  <button
                    type="button"
                    aria-label={`Rename ${v.title || "Untitled recording"}`}
                    class="text-slate-600 hover:text-indigo-700"
                    onClick={() => rename(v)}
                  >
                    Rename
                  </button>
                  <button
                    type="button"
                    aria-label={`Delete ${v.title || "Untitled recording"}`}
                    class="text-slate-600 hover:text-rose-700"
                    onClick={() => remove(v)}
                  >
                    Delete
                  </button>
                </>
              )}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
