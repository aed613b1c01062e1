-- Renditions: an H.264/AAC MP4 made beside recordings that are not, for browsers without WebM
-- (iPhones, older Safari). The processed file's exact type (with codecs) and size, so the API can
-- list both files in the order a browser should try them.
ALTER TABLE videos
  ADD COLUMN processed_type TEXT,
  ADD COLUMN processed_bytes BIGINT,
  -- NULL: none needed (already H.264/AAC) or turned off; else pending, running, done, failed.
  ADD COLUMN rendition_status TEXT,
  ADD COLUMN rendition_key TEXT,
  ADD COLUMN rendition_type TEXT,
  ADD COLUMN rendition_bytes BIGINT,
  ADD COLUMN rendition_error TEXT;

-- Jobs a person waits for go first: a guide is claimed before a rendition queued earlier.
ALTER TABLE jobs ADD COLUMN priority INT NOT NULL DEFAULT 0;
