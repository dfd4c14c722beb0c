-- Agent desktop (issue 8): the wrap-up an agent records when a piece of work ends: a disposition code from the
-- queue's list, notes, and whether the customer's matter was resolved on first contact (FCR reports).
CREATE TABLE desktop_wrapups (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  task_id uuid NOT NULL REFERENCES routing_tasks(id) ON DELETE CASCADE,
  queue_id uuid NOT NULL REFERENCES routing_queues(id) ON DELETE CASCADE,
  -- The interaction the task carried (attributes.interactionId), when it had one.
  interaction_id uuid REFERENCES interactions(id) ON DELETE SET NULL,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code text,
  notes text NOT NULL DEFAULT '',
  resolved_first_contact boolean,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- One wrap-up per task: a second one is a conflict, never a silent overwrite.
  UNIQUE (tenant_id, task_id)
);
CREATE INDEX desktop_wrapups_interaction_idx ON desktop_wrapups (tenant_id, interaction_id) WHERE interaction_id IS NOT NULL;
CREATE INDEX desktop_wrapups_user_idx ON desktop_wrapups (tenant_id, user_id, created_at DESC);

ALTER TABLE desktop_wrapups ENABLE ROW LEVEL SECURITY;
ALTER TABLE desktop_wrapups FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON desktop_wrapups USING (app_bypass_rls() OR tenant_id = app_tenant_id())
  WITH CHECK (app_bypass_rls() OR tenant_id = app_tenant_id());
