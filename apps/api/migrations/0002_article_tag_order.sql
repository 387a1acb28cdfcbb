-- tagList is answered in the order the author gave it. Expand-only: the column has a default, so the
-- previous API version, which does not know it, keeps inserting rows that remain valid.
ALTER TABLE article_tags ADD COLUMN position integer NOT NULL DEFAULT 0;
