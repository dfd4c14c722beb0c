-- Routing (ACD): queues per division, skills, agent profiles, memberships, away reasons, wrap-up codes, agent
-- state history, tasks (with an optimistic-concurrency version) and interval facts for historical reports.

CREATE TABLE routing_queues (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  name text NOT NULL,
  channels text[] NOT NULL DEFAULT '{voice}',
  strategy text NOT NULL DEFAULT 'longest_idle',
  service_level_seconds integer NOT NULL DEFAULT 20,
  service_level_target real NOT NULL DEFAULT 0.8,
  max_wait_seconds integer,
  overflow jsonb NOT NULL DEFAULT '[]',
  priority_rules jsonb NOT NULL DEFAULT '[]',
  aging_per_minute real NOT NULL DEFAULT 0,
  acw_seconds integer NOT NULL DEFAULT 30,
  offer_timeout_seconds integer NOT NULL DEFAULT 20,
  announcements jsonb NOT NULL DEFAULT '{}',
  callbacks_offered boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, name)
);

CREATE TABLE routing_wrapup_codes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  queue_id uuid NOT NULL REFERENCES routing_queues(id) ON DELETE CASCADE,
  code text NOT NULL,
  label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (queue_id, code)
);

CREATE TABLE routing_skills (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, name)
);

CREATE TABLE routing_away_reasons (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name text NOT NULL,
  paid boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, name)
);

-- One row per user who routes work: state, capacity per channel and skills (name → level 1–5).
CREATE TABLE routing_agents (
  user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  state text NOT NULL DEFAULT 'offline',
  away_reason_id uuid REFERENCES routing_away_reasons(id) ON DELETE SET NULL,
  state_since timestamptz NOT NULL DEFAULT clock_timestamp(),
  acw_ends_at timestamptz,
  capacity jsonb NOT NULL DEFAULT '{"voice": 1, "callback": 1, "chat": 3, "email": 5}',
  call_blocks_chats boolean NOT NULL DEFAULT true,
  skills jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 0
);

CREATE TABLE routing_memberships (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  queue_id uuid NOT NULL REFERENCES routing_queues(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  skill_level integer NOT NULL DEFAULT 3 CHECK (skill_level BETWEEN 1 AND 5),
  priority integer NOT NULL DEFAULT 1 CHECK (priority BETWEEN 1 AND 9),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (queue_id, user_id)
);
CREATE INDEX routing_memberships_user_idx ON routing_memberships (user_id);

CREATE TABLE routing_agent_state_history (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  state text NOT NULL,
  reason text,
  changed_by uuid,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  ended_at timestamptz
);
CREATE INDEX routing_agent_state_history_user_idx ON routing_agent_state_history (tenant_id, user_id, started_at);

-- A task: work the router assigns (a call or chat waiting in a queue, a callback, a ticket). Every change of
-- status is a conditional UPDATE on (id, version) that must change exactly one row.
CREATE TABLE routing_tasks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  queue_id uuid NOT NULL REFERENCES routing_queues(id) ON DELETE CASCADE,
  channel text NOT NULL,
  status text NOT NULL DEFAULT 'queued',
  priority integer NOT NULL DEFAULT 0,
  attributes jsonb NOT NULL DEFAULT '{}',
  required_skills jsonb NOT NULL DEFAULT '[]',
  previous_agent_id uuid,
  contact_id uuid,
  external_ref text,
  callback_number text,
  enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  offer_id uuid,
  offered_to uuid[] NOT NULL DEFAULT '{}',
  offered_at timestamptz,
  assigned_agent_id uuid,
  assigned_at timestamptz,
  ended_at timestamptz,
  end_reason text,
  version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX routing_tasks_open_idx ON routing_tasks (tenant_id, status) WHERE status IN ('queued', 'offered', 'assigned');

-- 15-minute facts per queue for historical reports.
CREATE TABLE routing_interval_facts (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  queue_id uuid NOT NULL REFERENCES routing_queues(id) ON DELETE CASCADE,
  interval_start timestamptz NOT NULL,
  offered integer NOT NULL DEFAULT 0,
  answered integer NOT NULL DEFAULT 0,
  abandoned integer NOT NULL DEFAULT 0,
  answered_within_target integer NOT NULL DEFAULT 0,
  wait_seconds_sum double precision NOT NULL DEFAULT 0,
  handled integer NOT NULL DEFAULT 0,
  handle_seconds_sum double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, queue_id, interval_start)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['routing_queues', 'routing_wrapup_codes', 'routing_skills', 'routing_away_reasons', 'routing_agents',
                           'routing_memberships', 'routing_agent_state_history', 'routing_tasks', 'routing_interval_facts'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_bypass_rls() OR tenant_id = app_tenant_id())
                    WITH CHECK (app_bypass_rls() OR tenant_id = app_tenant_id())', t);
  END LOOP;
END $$;
