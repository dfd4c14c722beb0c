-- Flows (docs/flows.md): the tenant's prompt library (audio an admin uploads for `play` nodes, stored in the blob
-- store transcoded for the media engine) and the HTTP request node's per-tenant allow-list of internal
-- destinations (hosts and CIDRs on the customer's LAN that the SSRF guard would otherwise refuse).

CREATE TABLE flow_prompts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name text NOT NULL,
  -- What the upload was (detected from its bytes, never from the name): wav or mp3, and its original format.
  source_format text NOT NULL,
  source_bytes integer NOT NULL,
  duration_ms integer NOT NULL,
  -- Blob keys of the transcoded copies: 8 kHz 16-bit mono PCM WAV (calls), 16 kHz (WebRTC and the browser).
  blob_8k text NOT NULL,
  blob_16k text NOT NULL,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, name)
);

CREATE TABLE flow_http_allowlists (
  tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  -- Host names (exact, or *.suffix) and CIDRs / addresses, as the admin wrote them (validated by the API).
  entries text[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['flow_prompts', 'flow_http_allowlists'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_bypass_rls() OR tenant_id = app_tenant_id())
                    WITH CHECK (app_bypass_rls() OR tenant_id = app_tenant_id())', t);
  END LOOP;
END $$;
