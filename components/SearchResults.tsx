/** The library's search box and its hits, rendered on the server (works without scripts). */
import type { SearchHit } from "../lib/search.ts";
import { formatTime } from "../lib/format.ts";

const KIND_TEXT: Record<SearchHit["kind"], string> = {
  video: "Title",
  step: "On screen",
  comment: "Comment",
};

/** The search form, keeping the current query. */
export function SearchBox(props: { query: string }) {
  return (
    <form action="/" method="get" role="search" class="mb-6 flex gap-2">
      <input
        type="search"
        name="q"
        data-testid="search-input"
        aria-label="Search titles, comments and text shown on screen"
        placeholder="Search titles, comments and anything shown on screen…"
        value={props.query}
        maxLength={200}
        class="min-w-0 flex-1 rounded-lg border border-slate-300 bg-white px-3 py-2 focus:border-indigo-500 focus:outline-none"
      />
      <button
        type="submit"
        class="rounded-lg bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700"
      >
        Search
      </button>
    </form>
  );
}

/** A snippet with its matched words marked. */
function Snippet(props: { hit: SearchHit }) {
  const { snippet, highlights } = props.hit;
  const parts = [];
  let at = 0;
  for (const [start, end] of highlights) {
    if (start > at) parts.push(snippet.slice(at, start));
    parts.push(<mark class="rounded bg-amber-200 px-0.5">{snippet.slice(start, end)}</mark>);
    at = end;
  }
  parts.push(snippet.slice(at));
  return <p class="mt-1 text-sm text-slate-700">{parts}</p>;
}

/** The hits of a search. */
export function SearchResults(props: { query: string; hits: SearchHit[] }) {
  return (
    <section aria-label="Search results" class="mb-8">
      <h2 class="mb-3 text-lg font-semibold">
        {props.hits.length === 0
          ? `Nothing found for “${props.query}”`
          : `${props.hits.length} result${props.hits.length === 1 ? "" : "s"} for “${props.query}”`}
      </h2>
      <ol class="flex flex-col gap-2">
        {props.hits.map((h) => (
          <li key={`${h.kind}-${h.annotationId ?? h.videoId}`}>
            <a
              href={h.url}
              data-testid="search-hit"
              data-kind={h.kind}
              class="block rounded-lg border border-slate-200 bg-white px-4 py-3 hover:border-indigo-300 hover:bg-indigo-50"
            >
              <span class="text-xs font-medium uppercase tracking-wide text-indigo-700">
                {KIND_TEXT[h.kind]}
                {h.kind !== "video" && ` · ${formatTime(h.timestamp)}`}
              </span>
              <span class="ml-2 font-medium">{h.videoTitle || "Untitled recording"}</span>
              <Snippet hit={h} />
            </a>
          </li>
        ))}
      </ol>
    </section>
  );
}
