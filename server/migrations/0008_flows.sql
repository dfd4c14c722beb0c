-- Flows (docs/flows.md): IVR and chat flows per division with a draft graph and immutable published versions,
-- tenant secrets that HTTP nodes reference by name, the sessions of text conversations (chat, simulator) whose
-- engine state is saved between inputs, and the path every run takes (node entered/left) for analytics.

CREATE TABLE flows (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  name text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('voice', 'chat')),
  draft jsonb NOT NULL,
  -- The version calls run; NULL until the first publish.
  published_version integer,
  draft_updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, name)
);

CREATE TABLE flow_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  flow_id uuid NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version > 0),
  graph jsonb NOT NULL,
  comment text NOT NULL DEFAULT '',
  -- A rollback publishes an older graph again as a new version and says which.
  restored_from integer,
  published_by uuid REFERENCES users(id) ON DELETE SET NULL,
  published_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (flow_id, version)
);

CREATE TABLE flow_secrets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name text NOT NULL,
  value_sealed text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, name)
);

CREATE TABLE flow_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  flow_id uuid NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('simulation', 'chat')),
  interaction_id uuid REFERENCES interactions(id) ON DELETE SET NULL,
  status text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'ended')),
  state jsonb NOT NULL,
  outcome jsonb,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX flow_sessions_flow_idx ON flow_sessions (flow_id, created_at);

-- One row per node entered or left. `session_id` is a flow session's id or, for calls, a per-call run id.
CREATE TABLE flow_path_events (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  flow_id uuid NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
  version integer,
  run_id uuid NOT NULL,
  interaction_id uuid REFERENCES interactions(id) ON DELETE CASCADE,
  node_id text NOT NULL,
  node_type text NOT NULL,
  event text NOT NULL CHECK (event IN ('enter', 'leave')),
  port text,
  input text,
  at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX flow_path_events_interaction_idx ON flow_path_events (interaction_id, id);
CREATE INDEX flow_path_events_flow_idx ON flow_path_events (flow_id, at);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['flows', 'flow_versions', 'flow_secrets', 'flow_sessions', 'flow_path_events'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_bypass_rls() OR tenant_id = app_tenant_id())
                    WITH CHECK (app_bypass_rls() OR tenant_id = app_tenant_id())', t);
  END LOOP;
END $$;
