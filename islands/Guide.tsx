/**
 * The guide page's island: the steps auto-doc wrote, each with its number, screenshot, title,
 * text and a link to its moment; the owner edits titles and text, moves and deletes steps.
 * Server-rendered first, so the guide prints and reads without scripts.
 */
import { useEffect, useState } from "preact/hooks";
import { formatTime, momentUrl } from "../lib/format.ts";
import { changeSteps, ownerToken } from "./api.ts";

/** A step as `GET /api/videos/{id}/doc` answers it. */
export interface GuideStep {
  id: string;
  index: number;
  timestamp: number;
  title: string;
  text: string;
  imageUrl: string | null;
}

/** Props of the guide island. */
export interface GuideProps {
  videoId: string;
  steps: GuideStep[];
  /** The signed-in person owns the video. */
  owned?: boolean;
}

function send<T>(videoId: string, path: string, method: string, body?: unknown): Promise<T> {
  return changeSteps<T>(videoId, path, method, body);
}

/** The guide, editable by the owner. */
export function Guide({ videoId, steps: initial, owned = false }: GuideProps) {
  const [steps, setSteps] = useState(initial);
  const [isOwner, setIsOwner] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState({ title: "", text: "" });
  const [notice, setNotice] = useState<string | null>(null);

  // Owned through the account, or (a video from before accounts) through its upload token.
  useEffect(() => setIsOwner(owned || ownerToken(videoId) !== null), []);

  const act = async (what: string, run: () => Promise<void>) => {
    try {
      await run();
      setNotice(null);
    } catch (err) {
      setNotice(`${what} failed: ${(err as Error).message}`);
    }
  };

  const save = (id: string) =>
    act("Saving", async () => {
      const updated: GuideStep = await send(videoId, `/steps/${id}`, "PATCH", draft);
      setSteps((list) => list.map((s) => (s.id === id ? { ...s, ...updated } : s)));
      setEditing(null);
    });

  const move = (i: number, by: -1 | 1) =>
    act("Moving", async () => {
      const ids = steps.map((s) => s.id);
      [ids[i], ids[i + by]] = [ids[i + by], ids[i]];
      setSteps(await send(videoId, "/steps", "PUT", { ids }));
    });

  const remove = (s: GuideStep) =>
    act("Deleting", async () => {
      if (!confirm(`Delete step ${s.index}, “${s.title}”?`)) return;
      await send(videoId, `/steps/${s.id}`, "DELETE");
      setSteps((await send<{ steps: GuideStep[] }>(videoId, "/doc", "GET")).steps);
    });

  const button =
    "rounded-md border border-slate-300 bg-white px-2 py-1 text-xs hover:bg-slate-100 disabled:opacity-40";
  return (
    <div>
      {notice && (
        <p role="alert" class="mb-4 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
          {notice}
        </p>
      )}
      {steps.length === 0 && <p class="text-slate-600">This guide has no steps.</p>}
      <ol class="flex flex-col gap-8">
        {steps.map((s, i) => (
          <li key={s.id} data-testid="guide-step" class="break-inside-avoid">
            <div class="flex items-baseline gap-3">
              <span class="text-2xl font-bold text-indigo-700">{s.index}.</span>
              {editing === s.id
                ? (
                  <input
                    aria-label="Step title"
                    data-testid="edit-title"
                    class="min-w-0 flex-1 rounded-md border border-slate-300 px-2 py-1 text-xl font-semibold"
                    value={draft.title}
                    maxLength={200}
                    onInput={(e) =>
                      setDraft({ ...draft, title: (e.target as HTMLInputElement).value })}
                  />
                )
                : <h2 data-testid="guide-title" class="text-xl font-semibold">{s.title}</h2>}
              <a
                href={momentUrl(videoId, s.timestamp)}
                class="ml-auto font-mono text-sm text-indigo-700 hover:underline"
              >
                {formatTime(s.timestamp)}
              </a>
            </div>
            {s.imageUrl && (
              <img
                src={s.imageUrl}
                alt={`Screenshot of step ${s.index}: ${s.title}`}
                loading="lazy"
                class="mt-3 w-full rounded-lg border border-slate-200 shadow-sm"
              />
            )}
            {editing === s.id
              ? (
                <textarea
                  aria-label="Step text"
                  data-testid="edit-text"
                  rows={5}
                  maxLength={4000}
                  class="mt-3 w-full rounded-md border border-slate-300 px-2 py-1 text-sm"
                  value={draft.text}
                  onInput={(e) =>
                    setDraft({ ...draft, text: (e.target as HTMLTextAreaElement).value })}
                />
              )
              : (
                s.text && (
                  <p class="mt-3 whitespace-pre-line text-slate-700" data-testid="guide-text">
                    {s.text}
                  </p>
                )
              )}
            {isOwner && (
              <div class="mt-3 flex flex-wrap gap-2 print:hidden">
                {editing === s.id
                  ? (
                    <>
                      <button type="button" class={button} onClick={() => save(s.id)}>
                        Save
                      </button>
                      <button type="button" class={button} onClick={() => setEditing(null)}>
                        Cancel
                      </button>
                    </>
                  )
                  : (
                    <button
                      type="button"
                      class={button}
                      data-testid="edit-step"
                      onClick={() => {
                        setDraft({ title: s.title, text: s.text });
                        setEditing(s.id);
                      }}
                    >
                      Edit
                    </button>
                  )}
                <button
                  type="button"
                  class={button}
                  data-testid="move-up"
                  disabled={i === 0}
                  onClick={() => move(i, -1)}
                >
                  Move up
                </button>
                <button
                  type="button"
                  class={button}
                  data-testid="move-down"
                  disabled={i === steps.length - 1}
                  onClick={() => move(i, 1)}
                >
                  Move down
                </button>
                <button
                  type="button"
                  class={button}
                  data-testid="delete-step"
                  onClick={() => remove(s)}
                >
                  Delete
                </button>
              </div>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
