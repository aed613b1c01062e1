-- Auto-doc: the guide job's progress and failure on the video, how many screenshots it may have
-- stored (so deleting the video deletes them all), and full-text search over what was said and
-- shown: video titles, comments, and the title and text of every step.
ALTER TABLE videos
  ADD COLUMN doc_progress INT,
  ADD COLUMN doc_error TEXT,
  ADD COLUMN doc_images INT NOT NULL DEFAULT 0,
  ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(title, ''))) STORED;

CREATE INDEX videos_search_idx ON videos USING GIN (search);

ALTER TABLE annotations
  ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(data ->> 'title', '')), 'A') ||
    to_tsvector('english', coalesce(content, '') || ' ' || coalesce(data ->> 'text', ''))
  ) STORED;

CREATE INDEX annotations_search_idx ON annotations USING GIN (search);
