-- Conversations (docs/voice.md): an interaction is one customer contact on any channel (voice first; chat, email
-- and tickets later), with the CDR fields the voice service fills. Segments are the stretches of an interaction
-- spent in one place (flow, queue, an agent), so transfers and conferences read as a sequence.

CREATE TABLE interactions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('voice', 'chat', 'email', 'ticket', 'social')),
  direction text NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
  state text NOT NULL DEFAULT 'live' CHECK (state IN ('live', 'ended')),
  -- Who called whom: E.164 or extension numbers for voice, addresses for other channels.
  from_address text NOT NULL DEFAULT '',
  to_address text NOT NULL DEFAULT '',
  -- The channel's own reference (the SIP Call-ID for voice).
  external_ref text,
  agent_id uuid REFERENCES users(id) ON DELETE SET NULL,
  -- CDR (issue 5): arrival, flow end, queue entry, offer, answer, end.
  arrived_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  flow_ended_at timestamptz,
  queued_at timestamptz,
  offered_at timestamptz,
  answered_at timestamptz,
  ended_at timestamptz,
  ring_ms integer,
  talk_ms integer,
  hold_ms integer NOT NULL DEFAULT 0,
  -- customer | agent | system
  hangup_by text CHECK (hangup_by IN ('customer', 'agent', 'system')),
  -- SIP status that ended the call (200 for a normal BYE, 487 abandoned, 480 nobody answered, …).
  sip_cause integer,
  -- normal | abandoned | no_agent | failed | system_restart | system_shutdown
  end_reason text,
  quality_jitter_ms real,
  quality_loss_pct real,
  quality_mos real,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX interactions_tenant_idx ON interactions (tenant_id, arrived_at DESC, id);
CREATE INDEX interactions_live_idx ON interactions (channel) WHERE state = 'live';

CREATE TABLE interaction_segments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  interaction_id uuid NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('flow', 'queue', 'ringing', 'agent', 'hold', 'voicemail')),
  user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  -- The device or address the segment ran on (an extension number for voice).
  endpoint text,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  ended_at timestamptz,
  outcome text
);
CREATE INDEX interaction_segments_idx ON interaction_segments (interaction_id, started_at);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['interactions', 'interaction_segments'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_bypass_rls() OR tenant_id = app_tenant_id())
                    WITH CHECK (app_bypass_rls() OR tenant_id = app_tenant_id())', t);
  END LOOP;
END $$;
