CREATE TABLE videos (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  title TEXT,
  s3_key TEXT UNIQUE,
  status TEXT DEFAULT 'processing',
  duration FLOAT,
  upload_id TEXT,
  created_at TIMESTAMP DEFAULT NOW()
);

CREATE TABLE annotations (
  id SERIAL PRIMARY KEY,
  video_id UUID REFERENCES videos(id),
  timestamp FLOAT NOT NULL,
  content TEXT,
  type TEXT DEFAULT 'comment',
  created_at TIMESTAMP DEFAULT NOW()
);
