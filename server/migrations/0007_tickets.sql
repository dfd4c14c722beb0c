-- Tickets (docs/tickets.md): work that outlives a conversation. Departments and teams that tickets and sub-tasks
-- are assigned to, business-hour calendars and SLA policies per division and priority, the ticket with its
-- comments, sub-tasks, linked interactions and activity log, macros, and the per-division ownership model.
-- Interactions get the contact they were about and whether they resolved the matter on first contact (FCR).

-- Departments (any part of the company: finance, logistics, …) and teams of agents. A group with a tier is a rung
-- of the tiered-escalation ladder (1 → 2 → 3) of its division.
CREATE TABLE ticket_groups (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('department', 'team')),
  name text NOT NULL,
  division_id uuid REFERENCES divisions(id) ON DELETE CASCADE,
  tier smallint CHECK (tier BETWEEN 1 AND 3),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, kind, name)
);

CREATE TABLE ticket_group_members (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  group_id uuid NOT NULL REFERENCES ticket_groups(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX ticket_group_members_user_idx ON ticket_group_members (tenant_id, user_id);

-- Business hours: per weekday (0 = Sunday) a list of [start, end) minute ranges in the calendar's time zone;
-- holidays are closed dates, workdays are dates worked although their weekday is closed (调休).
CREATE TABLE ticket_calendars (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name text NOT NULL,
  time_zone text NOT NULL DEFAULT 'Asia/Shanghai',
  hours jsonb NOT NULL,
  holidays text[] NOT NULL DEFAULT '{}',
  workdays text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, name)
);

CREATE TABLE ticket_sla_policies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  -- No calendar: the clock runs around the clock.
  calendar_id uuid REFERENCES ticket_calendars(id) ON DELETE SET NULL,
  first_response_minutes integer CHECK (first_response_minutes > 0),
  next_response_minutes integer CHECK (next_response_minutes > 0),
  resolution_minutes integer CHECK (resolution_minutes > 0),
  warn_before_minutes integer NOT NULL DEFAULT 30 CHECK (warn_before_minutes >= 0),
  -- Escalation on breach: move to this group and/or raise the priority one step.
  escalate_group_id uuid REFERENCES ticket_groups(id) ON DELETE SET NULL,
  escalate_raise_priority boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, division_id, priority)
);

-- How a division works tickets: first-contact ownership (首问负责制) or tiered escalation, and the repeat-contact
-- window used for first-contact-resolution marking.
CREATE TABLE ticket_division_settings (
  division_id uuid PRIMARY KEY REFERENCES divisions(id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  ownership_model text NOT NULL DEFAULT 'first_contact' CHECK (ownership_model IN ('first_contact', 'tiered')),
  repeat_window_days integer NOT NULL DEFAULT 7 CHECK (repeat_window_days BETWEEN 1 AND 365),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE tickets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- What people quote on the phone ("ticket 1042"); unique per installation, shown per tenant.
  number bigserial NOT NULL UNIQUE,
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  subject text NOT NULL,
  description text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
  priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  type text NOT NULL DEFAULT 'question' CHECK (type IN ('question', 'incident', 'problem', 'task', 'complaint')),
  requester_id uuid REFERENCES crm_contacts(id) ON DELETE SET NULL,
  assignee_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  assignee_group_id uuid REFERENCES ticket_groups(id) ON DELETE SET NULL,
  -- First-contact ownership: the agent who took the first contact stays owner and the customer's single contact.
  owner_id uuid REFERENCES users(id) ON DELETE SET NULL,
  tier smallint NOT NULL DEFAULT 1 CHECK (tier BETWEEN 1 AND 3),
  followers uuid[] NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  custom_fields jsonb NOT NULL DEFAULT '{}',
  source text NOT NULL DEFAULT 'agent' CHECK (source IN ('agent', 'api', 'help_center', 'email', 'interaction')),
  -- The source's own object (a help-center contact request id), so a redelivered event makes no second ticket.
  source_ref text,
  merged_into uuid REFERENCES tickets(id) ON DELETE SET NULL,
  first_response_at timestamptz,
  solved_at timestamptz,
  closed_at timestamptz,
  -- Who resolved what (FCR and effectiveness reports).
  resolved_by uuid REFERENCES users(id) ON DELETE SET NULL,
  resolved_group_id uuid REFERENCES ticket_groups(id) ON DELETE SET NULL,
  resolved_tier smallint,
  resolved_first_contact boolean,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX tickets_list_idx ON tickets (tenant_id, updated_at DESC, id DESC) WHERE merged_into IS NULL;
CREATE INDEX tickets_assignee_idx ON tickets (tenant_id, assignee_user_id) WHERE status NOT IN ('solved', 'closed');
CREATE INDEX tickets_group_idx ON tickets (tenant_id, assignee_group_id) WHERE status NOT IN ('solved', 'closed');
CREATE INDEX tickets_requester_idx ON tickets (tenant_id, requester_id, created_at DESC);
CREATE INDEX tickets_tags_idx ON tickets USING gin (tags);
CREATE UNIQUE INDEX tickets_source_idx ON tickets (tenant_id, source, source_ref) WHERE source_ref IS NOT NULL;

-- One row per SLA metric of a ticket. A running target has due_at; a paused one keeps the business time it had
-- left; met and breached targets keep when.
CREATE TABLE ticket_sla_targets (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  metric text NOT NULL CHECK (metric IN ('first_response', 'next_response', 'resolution')),
  policy_id uuid REFERENCES ticket_sla_policies(id) ON DELETE SET NULL,
  state text NOT NULL CHECK (state IN ('running', 'paused', 'met', 'breached')),
  started_at timestamptz NOT NULL,
  due_at timestamptz,
  remaining_ms bigint,
  warned_at timestamptz,
  breached_at timestamptz,
  met_at timestamptz,
  PRIMARY KEY (ticket_id, metric)
);
CREATE INDEX ticket_sla_due_idx ON ticket_sla_targets (tenant_id, due_at) WHERE state = 'running';

CREATE TABLE ticket_interactions (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  interaction_id uuid NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  linked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (ticket_id, interaction_id)
);
CREATE INDEX ticket_interactions_interaction_idx ON ticket_interactions (interaction_id);

CREATE TABLE ticket_comments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  author_id uuid REFERENCES users(id) ON DELETE SET NULL,
  author_kind text NOT NULL CHECK (author_kind IN ('agent', 'customer', 'system')),
  visibility text NOT NULL CHECK (visibility IN ('public', 'internal')),
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX ticket_comments_idx ON ticket_comments (ticket_id, created_at, id);

-- Sub-tasks: a piece of a ticket's work for a person or a department (often another department than the
-- owner's); its result returns to the ticket.
CREATE TABLE ticket_tasks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  assignee_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  assignee_group_id uuid REFERENCES ticket_groups(id) ON DELETE SET NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
  result text NOT NULL DEFAULT '',
  due_at timestamptz,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  done_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  done_at timestamptz
);
CREATE INDEX ticket_tasks_ticket_idx ON ticket_tasks (ticket_id, created_at);
CREATE INDEX ticket_tasks_assignee_idx ON ticket_tasks (tenant_id, assignee_user_id) WHERE status = 'open';

-- Every change of a ticket, who made it and what changed (field: [before, after]).
CREATE TABLE ticket_activity (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id uuid REFERENCES users(id) ON DELETE SET NULL,
  action text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX ticket_activity_idx ON ticket_activity (ticket_id, at, id);

CREATE TABLE ticket_macros (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  -- No division: offered everywhere.
  division_id uuid REFERENCES divisions(id) ON DELETE CASCADE,
  name text NOT NULL,
  -- { set: { status?, priority?, type?, assigneeUserId?, assigneeGroupId?, addTags? }, reply?: { body, visibility } }
  actions jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, name)
);

-- The contact an interaction was with, and whether it resolved the matter on first contact: NULL until known,
-- false once the same contact came back about the same matter within the division's repeat window.
ALTER TABLE interactions ADD COLUMN contact_id uuid REFERENCES crm_contacts(id) ON DELETE SET NULL;
ALTER TABLE interactions ADD COLUMN resolved_first_contact boolean;
CREATE INDEX interactions_contact_idx ON interactions (tenant_id, contact_id, arrived_at DESC) WHERE contact_id IS NOT NULL;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['ticket_groups', 'ticket_group_members', 'ticket_calendars', 'ticket_sla_policies',
                           'ticket_division_settings', 'tickets', 'ticket_sla_targets', 'ticket_interactions',
                           'ticket_comments', 'ticket_tasks', 'ticket_activity', 'ticket_macros'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_bypass_rls() OR tenant_id = app_tenant_id())
                    WITH CHECK (app_bypass_rls() OR tenant_id = app_tenant_id())', t);
  END LOOP;
END $$;
