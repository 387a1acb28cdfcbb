-- The RealWorld schema. Usernames and emails are unique case-insensitively (lower() indexes rather than
-- citext, which needs an extension that not every managed PostgreSQL allows by default).

CREATE TABLE users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      text NOT NULL CHECK (length(username) BETWEEN 1 AND 64),
  email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  password_hash text NOT NULL,
  bio           text,
  image         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE follows (
  follower_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  followee_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- The primary key serves "whom does X follow" (the feed) and "does X follow Y" (every profile).
  PRIMARY KEY (follower_id, followee_id)
);
CREATE INDEX follows_followee_idx ON follows (followee_id);

CREATE TABLE articles (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug        text NOT NULL CHECK (length(slug) BETWEEN 1 AND 128),
  title       text NOT NULL,
  description text NOT NULL,
  body        text NOT NULL,
  author_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX articles_slug_key ON articles (slug);
-- Global list, newest first; id breaks ties so pages never overlap.
CREATE INDEX articles_created_idx ON articles (created_at DESC, id DESC);
-- Author filter and the feed (authors the reader follows).
CREATE INDEX articles_author_created_idx ON articles (author_id, created_at DESC, id DESC);

CREATE TABLE tags (
  id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 64)
);
CREATE UNIQUE INDEX tags_name_key ON tags (name);

CREATE TABLE article_tags (
  article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  tag_id     bigint NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
  PRIMARY KEY (article_id, tag_id)
);
-- Tag filter: articles carrying a tag.
CREATE INDEX article_tags_tag_idx ON article_tags (tag_id, article_id);

CREATE TABLE favorites (
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The primary key serves favoritesCount and "did the reader favorite it" per article.
  PRIMARY KEY (article_id, user_id)
);
-- Favorited filter: articles a user favorited.
CREATE INDEX favorites_user_idx ON favorites (user_id, article_id);

CREATE TABLE comments (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  author_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  body       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_article_idx ON comments (article_id, id);
CREATE INDEX comments_author_idx ON comments (author_id);
