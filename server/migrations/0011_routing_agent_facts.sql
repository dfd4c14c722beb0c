-- Routing: 15-minute facts per agent for historical reports (beside the per-queue routing_interval_facts), and an
-- index for the one open state-history row per agent that every state change closes.

CREATE TABLE routing_agent_interval_facts (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  interval_start timestamptz NOT NULL,
  -- Offers the agent took, let time out, and turned down.
  answered integer NOT NULL DEFAULT 0,
  missed integer NOT NULL DEFAULT 0,
  rejected integer NOT NULL DEFAULT 0,
  handled integer NOT NULL DEFAULT 0,
  handle_seconds_sum double precision NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, user_id, interval_start)
);

ALTER TABLE routing_agent_interval_facts ENABLE ROW LEVEL SECURITY;
ALTER TABLE routing_agent_interval_facts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON routing_agent_interval_facts USING (app_bypass_rls() OR tenant_id = app_tenant_id())
  WITH CHECK (app_bypass_rls() OR tenant_id = app_tenant_id());

CREATE INDEX routing_agent_state_history_open_idx ON routing_agent_state_history (tenant_id, user_id) WHERE ended_at IS NULL;
