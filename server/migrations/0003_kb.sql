-- Knowledge base and help center (docs/kb.md): spaces per division, categories, articles with versions and a
-- review workflow, synonyms, search and help-center logs, agent-assist usage, new-business updates with receipts.
--
-- Search runs over lexemes we segment ourselves (jieba for Chinese, see server/src/kb/search/segment.ts): the
-- application writes `search_tsv` as a tsvector literal (title A, tags B, body C) of the live (published)
-- version, and `search_trgm` (folded title and tags) for pg_trgm's typo and code matching.

CREATE TABLE kb_spaces (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  visibility text NOT NULL CHECK (visibility IN ('internal', 'public', 'both')),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, name)
);

CREATE TABLE kb_categories (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  space_id uuid NOT NULL REFERENCES kb_spaces(id) ON DELETE CASCADE,
  -- A category with a parent is a section of that category.
  parent_id uuid REFERENCES kb_categories(id) ON DELETE CASCADE,
  name text NOT NULL,
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX kb_categories_space_idx ON kb_categories (space_id, position);

CREATE TABLE kb_articles (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  space_id uuid NOT NULL REFERENCES kb_spaces(id) ON DELETE CASCADE,
  category_id uuid REFERENCES kb_categories(id) ON DELETE SET NULL,
  language text NOT NULL CHECK (language IN ('zh-CN', 'en')),
  -- Articles that are translations of each other share a group (one per language).
  translation_group uuid NOT NULL DEFAULT gen_random_uuid(),
  audience text NOT NULL CHECK (audience IN ('internal', 'public')),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
  title text NOT NULL,
  template text,
  owner_id uuid REFERENCES users(id) ON DELETE SET NULL,
  review_by date,
  expires_at timestamptz,
  latest_version integer NOT NULL DEFAULT 1,
  published_version integer,
  published_at timestamptz,
  live_title text,
  live_body text,
  live_tags text[] NOT NULL DEFAULT '{}',
  search_tsv tsvector,
  -- Title (A) and tags (B) only: title matches are gathered first, so a capped candidate set never loses them.
  title_tsv tsvector,
  search_trgm text,
  helpful_count integer NOT NULL DEFAULT 0,
  unhelpful_count integer NOT NULL DEFAULT 0,
  view_count integer NOT NULL DEFAULT 0,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (translation_group, language)
);
CREATE INDEX kb_articles_tenant_idx ON kb_articles (tenant_id, space_id, status);
CREATE INDEX kb_articles_tsv_idx ON kb_articles USING gin (search_tsv);
CREATE INDEX kb_articles_title_tsv_idx ON kb_articles USING gin (title_tsv);
CREATE INDEX kb_articles_trgm_idx ON kb_articles USING gin (search_trgm gin_trgm_ops);
CREATE INDEX kb_articles_tags_idx ON kb_articles USING gin (live_tags);

CREATE TABLE kb_article_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  article_id uuid NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
  version integer NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  tags text[] NOT NULL DEFAULT '{}',
  state text NOT NULL CHECK (state IN ('draft', 'in_review', 'rejected', 'scheduled', 'published', 'superseded')),
  note text NOT NULL DEFAULT '',
  publish_at timestamptz,
  author_id uuid REFERENCES users(id) ON DELETE SET NULL,
  submitted_by uuid REFERENCES users(id) ON DELETE SET NULL,
  reviewer_id uuid REFERENCES users(id) ON DELETE SET NULL,
  review_comment text NOT NULL DEFAULT '',
  reviewed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (article_id, version)
);
CREATE INDEX kb_article_versions_due_idx ON kb_article_versions (publish_at) WHERE state = 'scheduled';

CREATE TABLE kb_article_links (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  article_id uuid NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
  related_id uuid NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
  PRIMARY KEY (article_id, related_id)
);

CREATE TABLE kb_synonyms (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  terms text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Searches (agent, assist, help center), for the content-gap report.
CREATE TABLE kb_search_log (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  channel text NOT NULL CHECK (channel IN ('agent', 'help')),
  query text NOT NULL,
  result_count integer NOT NULL,
  session_id text
);
CREATE INDEX kb_search_log_idx ON kb_search_log (tenant_id, at);

-- Help-center sessions: article views, feedback and contact requests (deflection = viewed and never contacted).
CREATE TABLE kb_help_events (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  session_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('view', 'feedback', 'contact')),
  article_id uuid REFERENCES kb_articles(id) ON DELETE SET NULL,
  helpful boolean
);
CREATE INDEX kb_help_events_idx ON kb_help_events (tenant_id, at);

-- "No, it did not solve my problem": a contact request carrying the article, until web chat and tickets exist.
CREATE TABLE kb_contact_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  article_id uuid REFERENCES kb_articles(id) ON DELETE SET NULL,
  article_title text NOT NULL DEFAULT '',
  session_id text NOT NULL,
  name text NOT NULL,
  contact text NOT NULL,
  message text NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX kb_contact_requests_idx ON kb_contact_requests (tenant_id, created_at DESC);

-- Agent assist: which article helped which interaction.
CREATE TABLE kb_article_usage (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  article_id uuid NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
  interaction_id text NOT NULL,
  user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  action text NOT NULL CHECK (action IN ('viewed', 'inserted_link', 'inserted_snippet', 'helped')),
  at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX kb_article_usage_idx ON kb_article_usage (tenant_id, article_id, at);

-- New-business updates (新业务更新) and who read and acknowledged them.
CREATE TABLE kb_updates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  title text NOT NULL,
  body text NOT NULL,
  requires_ack boolean NOT NULL DEFAULT true,
  article_id uuid REFERENCES kb_articles(id) ON DELETE SET NULL,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX kb_updates_idx ON kb_updates (tenant_id, created_at DESC);

CREATE TABLE kb_update_receipts (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  update_id uuid NOT NULL REFERENCES kb_updates(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  read_at timestamptz,
  acked_at timestamptz,
  reminded_at timestamptz,
  PRIMARY KEY (update_id, user_id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['kb_spaces', 'kb_categories', 'kb_articles', 'kb_article_versions', 'kb_article_links',
                           'kb_synonyms', 'kb_search_log', 'kb_help_events', 'kb_contact_requests', 'kb_article_usage',
                           'kb_updates', 'kb_update_receipts'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_bypass_rls() OR tenant_id = app_tenant_id())
                    WITH CHECK (app_bypass_rls() OR tenant_id = app_tenant_id())', t);
  END LOOP;
END $$;

-- Row-level security keeps operators that are not LEAKPROOF out of index scans (they would see rows of other
-- tenants before the policy filters them), so under the kefu_app role `search_tsv @@ query` became a
-- sequential scan of every tenant's articles. The tsvector match and pg_trgm's word-similarity operator raise
-- no errors that depend on the values they compare, so they are declared leakproof. This needs a superuser
-- (the embedded database's owner is one); elsewhere the search stays correct, only slower.
DO $$
BEGIN
  ALTER FUNCTION ts_match_vq(tsvector, tsquery) LEAKPROOF;
  ALTER FUNCTION word_similarity_commutator_op(text, text) LEAKPROOF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'kb: not a superuser; full-text search under row-level security will not use its indexes';
END $$;
