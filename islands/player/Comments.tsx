/** The player's comments: the list (seek, delete) and the composer at the current moment. */
import type { Ref } from "preact";
import { formatTime } from "../../lib/format.ts";
import type { AnnotationView } from "../api.ts";

/** Props of {@link Comments}. */
export interface CommentsProps {
  annotations: AnnotationView[];
  /** Whether this browser may delete the comment with this id. */
  canDelete: (uid: string) => boolean;
  onSeek: (seconds: number) => void;
  onRemove: (uid: string) => void;
  author: string;
  onAuthor: (name: string) => void;
  draft: string;
  onDraft: (text: string) => void;
  /** The moment a comment written now is attached to. */
  stampedAt: number;
  inputRef: Ref<HTMLTextAreaElement>;
  onFocusInput: () => void;
  onSubmit: (e: Event) => void;
}

/** The comment list and composer. */
export function Comments(
  {
    annotations,
    canDelete,
    onSeek,
    onRemove,
    author,
    onAuthor,
    draft,
    onDraft,
    stampedAt,
    inputRef,
    onFocusInput,
    onSubmit,
  }: CommentsProps,
) {
  return (
    <>
      <ol class="mb-4 flex max-h-[28rem] flex-col gap-2 overflow-y-auto">
        {annotations.length === 0 && (
          <li class="text-sm text-slate-500">No comments yet. Press C to add one.</li>
        )}
        {annotations.map((a) => (
          <li
            key={a.id}
            data-testid="annotation"
            class="group rounded-lg bg-slate-50 px-3 py-2 text-sm"
          >
            <div class="flex items-center gap-2">
              <button
                type="button"
                class="font-mono text-xs font-semibold text-indigo-700 hover:underline"
                aria-label={`Seek to ${formatTime(a.timestamp)}`}
                onClick={() => onSeek(a.timestamp)}
              >
                {formatTime(a.timestamp)}
              </button>
              <span class="truncate font-medium text-slate-700">{a.author ?? "Anonymous"}</span>
              {canDelete(a.id) && (
                <button
                  type="button"
                  class="ml-auto text-xs text-slate-500 hover:text-rose-600"
                  aria-label="Delete comment"
                  onClick={() => onRemove(a.id)}
                >
                  Delete
                </button>
              )}
            </div>
            <p class="mt-1 whitespace-pre-wrap break-words text-slate-800">{a.content}</p>
          </li>
        ))}
      </ol>
      <form onSubmit={onSubmit} class="mt-auto flex flex-col gap-2">
        <label class="text-xs text-slate-500" for="comment-author">Your name</label>
        <input
          id="comment-author"
          class="rounded-md border border-slate-300 px-2 py-1 text-sm"
          value={author}
          maxLength={80}
          placeholder="Anonymous"
          onInput={(e) => onAuthor((e.target as HTMLInputElement).value)}
        />
        <label class="text-xs text-slate-500" for="comment-input">
          Comment at <span class="font-mono">{formatTime(stampedAt)}</span>
        </label>
        <textarea
          id="comment-input"
          ref={inputRef}
          data-testid="comment-input"
          rows={3}
          maxLength={5000}
          class="rounded-md border border-slate-300 px-2 py-1 text-sm focus:border-indigo-500 focus:outline-none"
          placeholder="Add a comment…"
          value={draft}
          onFocus={onFocusInput}
          onInput={(e) => onDraft((e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) onSubmit(e);
          }}
        />
        <button
          type="submit"
          data-testid="comment-submit"
          disabled={!draft.trim()}
          class="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50"
        >
          Comment
        </button>
      </form>
    </>
  );
}
