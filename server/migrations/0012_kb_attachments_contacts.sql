-- Knowledge base, second part (docs/kb.md): files and images in articles (bytes in the blob store, the row keeps
-- the detected type and size), and help-center contact requests recorded as interactions.

CREATE TABLE kb_attachments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  article_id uuid NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
  blob_key text NOT NULL,
  file_name text NOT NULL,
  -- Detected from the bytes, never taken from the uploader.
  content_type text NOT NULL,
  -- Images are shown in pages; everything else is served as a download.
  inline boolean NOT NULL,
  size_bytes integer NOT NULL,
  sha256 text NOT NULL,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX kb_attachments_article_idx ON kb_attachments (article_id, created_at);

-- A contact request from the help center is also an interaction (channel chat), so that it shows in the
-- customer's history like any other contact and a ticket or chat can follow it up.
ALTER TABLE kb_contact_requests ADD COLUMN interaction_id uuid REFERENCES interactions(id) ON DELETE SET NULL;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['kb_attachments'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_bypass_rls() OR tenant_id = app_tenant_id())
                    WITH CHECK (app_bypass_rls() OR tenant_id = app_tenant_id())', t);
  END LOOP;
END $$;
