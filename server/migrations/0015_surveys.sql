-- Post-contact surveys (docs/flows.md, "Surveys"): an inbound flow's `survey` node marks the interaction
-- (survey_invitations: which survey flow, sampled or not); when the agent ends the conversation first, the customer
-- is handed to that flow, whose `survey_answer` nodes store one row per question in survey_answers.
-- survey_answers is shaped for aggregation (a later multi-attribute survey with driver analysis): one row per
-- (interaction, question) with the score and its scale, so scores of different scales can be normalised, and the
-- dimensions reports group by (channel, division, queue, agent, contact, day) copied onto the row.

CREATE TABLE survey_invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  interaction_id uuid NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  channel text NOT NULL,
  -- The survey flow (a published flow of the same channel when the inbound flow was published).
  survey_flow_id uuid NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
  -- The inbound flow whose survey node marked the interaction.
  flow_id uuid REFERENCES flows(id) ON DELETE SET NULL,
  node_id text NOT NULL DEFAULT '',
  sample_rate integer NOT NULL CHECK (sample_rate BETWEEN 0 AND 100),
  -- pending: waits for the agent to end; not_sampled: the sample left it out; started: the customer was handed to
  -- the survey; completed: the survey flow ended; skipped: the conversation ended otherwise (customer first, no agent).
  status text NOT NULL CHECK (status IN ('pending', 'not_sampled', 'started', 'completed', 'skipped')),
  skip_reason text,
  -- Filled when the customer is handed over: who served them, from which queue.
  agent_id uuid REFERENCES users(id) ON DELETE SET NULL,
  queue_id uuid REFERENCES routing_queues(id) ON DELETE SET NULL,
  -- The customer as the channel knows them (a chat's visitor contact); calls find theirs on the interaction.
  contact_id uuid REFERENCES crm_contacts(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  started_at timestamptz,
  completed_at timestamptz,
  -- The latest survey node passed wins (a transfer to another flow with its own survey).
  UNIQUE (tenant_id, interaction_id)
);
CREATE INDEX survey_invitations_flow_idx ON survey_invitations (tenant_id, survey_flow_id, created_at);

CREATE TABLE survey_answers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  interaction_id uuid NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  invitation_id uuid REFERENCES survey_invitations(id) ON DELETE SET NULL,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  channel text NOT NULL,
  agent_id uuid REFERENCES users(id) ON DELETE SET NULL,
  queue_id uuid REFERENCES routing_queues(id) ON DELETE SET NULL,
  contact_id uuid REFERENCES crm_contacts(id) ON DELETE SET NULL,
  -- Where the question was asked: the survey flow, its version and node.
  survey_flow_id uuid REFERENCES flows(id) ON DELETE SET NULL,
  flow_version integer,
  node_id text NOT NULL DEFAULT '',
  -- The stable key reports aggregate by (e.g. csat, resolved, agent_courtesy), and its wording when answered.
  question_key text NOT NULL CHECK (question_key ~ '^[a-z][a-z0-9_]{0,39}$'),
  question_text text NOT NULL DEFAULT '',
  score numeric(6, 2),
  scale_min smallint,
  scale_max smallint,
  choice text,
  comment text,
  answered_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK (score IS NULL OR (scale_min IS NOT NULL AND scale_max IS NOT NULL AND score BETWEEN scale_min AND scale_max)),
  CHECK (score IS NOT NULL OR choice IS NOT NULL OR comment IS NOT NULL),
  -- One answer per question and interaction: answering again (a repeated question) replaces it.
  UNIQUE (tenant_id, interaction_id, question_key)
);
CREATE INDEX survey_answers_question_idx ON survey_answers (tenant_id, question_key, answered_at);
CREATE INDEX survey_answers_agent_idx ON survey_answers (tenant_id, agent_id, answered_at) WHERE agent_id IS NOT NULL;
CREATE INDEX survey_answers_queue_idx ON survey_answers (tenant_id, queue_id, answered_at) WHERE queue_id IS NOT NULL;
CREATE INDEX survey_answers_contact_idx ON survey_answers (tenant_id, contact_id) WHERE contact_id IS NOT NULL;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['survey_invitations', 'survey_answers'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_bypass_rls() OR tenant_id = app_tenant_id())
                    WITH CHECK (app_bypass_rls() OR tenant_id = app_tenant_id())', t);
  END LOOP;
END $$;
