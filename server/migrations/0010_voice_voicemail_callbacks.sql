-- Voice: voicemail (a recording of the caller alone, kind 'voicemail') and callback requests (a number and a
-- preferred time, handed to routing as a callback task when that time comes; the voice service dials it when an
-- agent accepts the task).

ALTER TABLE voice_recordings ADD COLUMN kind text NOT NULL DEFAULT 'call' CHECK (kind IN ('call', 'voicemail'));

CREATE TABLE voice_callback_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  interaction_id uuid REFERENCES interactions(id) ON DELETE SET NULL,
  queue_id uuid NOT NULL,
  number text NOT NULL,
  preferred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- pending: waiting for its time; queued: a routing callback task exists (task_id); dialled: an agent called
  -- back (the outbound interaction in callback_interaction_id); failed: could not be queued.
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'queued', 'dialled', 'failed')),
  task_id uuid,
  callback_interaction_id uuid REFERENCES interactions(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX voice_callback_requests_due_idx ON voice_callback_requests (preferred_at) WHERE state = 'pending';
CREATE INDEX voice_callback_requests_task_idx ON voice_callback_requests (task_id);

ALTER TABLE voice_callback_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE voice_callback_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON voice_callback_requests USING (app_bypass_rls() OR tenant_id = app_tenant_id())
  WITH CHECK (app_bypass_rls() OR tenant_id = app_tenant_id());
