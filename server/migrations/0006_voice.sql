-- Voice (docs/voice.md): SIP trunks, numbers (DIDs), agents' SIP devices (extensions), outbound rules,
-- per-tenant SIP settings (domain = digest realm), per-division recording policy, and call recordings.

CREATE TABLE voice_settings (
  tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  -- The SIP domain phones register to; also the digest realm (one realm per tenant).
  sip_domain text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE voice_division_settings (
  division_id uuid PRIMARY KEY REFERENCES divisions(id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  recording text NOT NULL DEFAULT 'always' CHECK (recording IN ('always', 'on_demand', 'never')),
  retention_days integer NOT NULL DEFAULT 90 CHECK (retention_days BETWEEN 1 AND 3650),
  caller_id text NOT NULL DEFAULT ''
);

CREATE TABLE voice_trunks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  name text NOT NULL,
  -- inbound_ip: INVITEs accepted from the listed addresses; register: we register to the provider with digest.
  kind text NOT NULL CHECK (kind IN ('inbound_ip', 'register')),
  inbound_addresses text[] NOT NULL DEFAULT '{}',
  host text NOT NULL DEFAULT '',
  port integer NOT NULL DEFAULT 5060 CHECK (port BETWEEN 1 AND 65535),
  transport text NOT NULL DEFAULT 'udp' CHECK (transport IN ('udp', 'tcp')),
  username text NOT NULL DEFAULT '',
  password_sealed text,
  codecs text[] NOT NULL DEFAULT '{PCMU,PCMA}',
  caller_id text NOT NULL DEFAULT '',
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, name)
);

CREATE TABLE voice_numbers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  -- A DID belongs to one tenant: the number a trunk delivers in the Request-URI.
  number text NOT NULL UNIQUE,
  name text NOT NULL DEFAULT '',
  -- The flow that runs for this number (flow engine: a later issue); NULL = queue to the division.
  flow_id uuid,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE voice_extensions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  extension text NOT NULL,
  user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  password_sealed text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, extension)
);

CREATE TABLE voice_outbound_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  trunk_id uuid NOT NULL REFERENCES voice_trunks(id) ON DELETE CASCADE,
  allowed_prefixes text[] NOT NULL DEFAULT '{}',
  denied_prefixes text[] NOT NULL DEFAULT '{}',
  max_calls_per_hour integer NOT NULL DEFAULT 60 CHECK (max_calls_per_hour > 0),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE voice_recordings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  interaction_id uuid NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  -- recording: being written to the spool; stored: in the blob store; partial: recovered after a crash.
  state text NOT NULL DEFAULT 'recording' CHECK (state IN ('recording', 'stored', 'partial', 'failed')),
  spool_path text,
  blob_key text,
  channels integer NOT NULL DEFAULT 2,
  duration_ms integer,
  size_bytes bigint,
  sha256 text,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  ended_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX voice_recordings_interaction_idx ON voice_recordings (interaction_id, started_at);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['voice_settings', 'voice_division_settings', 'voice_trunks', 'voice_numbers',
                           'voice_extensions', 'voice_outbound_rules', 'voice_recordings'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_bypass_rls() OR tenant_id = app_tenant_id())
                    WITH CHECK (app_bypass_rls() OR tenant_id = app_tenant_id())', t);
  END LOOP;
END $$;
