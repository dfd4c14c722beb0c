-- CRM (docs/crm.md): companies, contacts with their identities (phone in E.164, email, WeChat, web visitor,
-- external ids), typed custom fields per division, one timeline per contact that later modules add entries to,
-- orders, consent records (PIPL), and CSV imports run as background jobs.

CREATE TABLE crm_companies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  name text NOT NULL,
  external_id text,
  notes text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, external_id)
);
CREATE INDEX crm_companies_name_trgm ON crm_companies USING gin (lower(name) gin_trgm_ops);
CREATE INDEX crm_companies_tenant_idx ON crm_companies (tenant_id, division_id, name);

CREATE TABLE crm_contacts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  -- One display name as the person writes it (王小明, Mary Smith); family/given parts are optional and
  -- carry no assumption about which comes first.
  display_name text NOT NULL,
  family_name text,
  given_name text,
  company_id uuid REFERENCES crm_companies(id) ON DELETE SET NULL,
  tags text[] NOT NULL DEFAULT '{}',
  custom_fields jsonb NOT NULL DEFAULT '{}',
  owner_id uuid REFERENCES users(id) ON DELETE SET NULL,
  vip_level smallint NOT NULL DEFAULT 0 CHECK (vip_level BETWEEN 0 AND 9),
  preferred_language text,
  -- Lower-cased names for fuzzy search (pg_trgm), kept by the service.
  search_name text NOT NULL DEFAULT '',
  -- A contact merged into another stays as a tombstone so that old references resolve to the survivor.
  merged_into uuid REFERENCES crm_contacts(id) ON DELETE SET NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX crm_contacts_list_idx ON crm_contacts (tenant_id, created_at DESC, id DESC) WHERE merged_into IS NULL;
CREATE INDEX crm_contacts_name_trgm ON crm_contacts USING gin (search_name gin_trgm_ops) WHERE merged_into IS NULL;
CREATE INDEX crm_contacts_company_idx ON crm_contacts (company_id);
CREATE INDEX crm_contacts_tags_idx ON crm_contacts USING gin (tags);

CREATE TABLE crm_identities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  contact_id uuid NOT NULL REFERENCES crm_contacts(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('phone', 'email', 'wechat_openid', 'wechat_unionid', 'visitor', 'external')),
  -- Normalized: E.164 (with ;ext= per RFC 3966) for phones, lower case for emails.
  value text NOT NULL,
  -- What duplicates are found by: the phone without extension, the mailbox without +tag.
  match_key text NOT NULL,
  label text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, kind, value)
);
CREATE INDEX crm_identities_contact_idx ON crm_identities (contact_id);
CREATE INDEX crm_identities_match_idx ON crm_identities (tenant_id, kind, match_key);
-- Fragment search ("8600 4321", "wang@") covers phones and emails only; ids are matched whole.
CREATE INDEX crm_identities_value_trgm ON crm_identities USING gin (value gin_trgm_ops) WHERE kind IN ('phone', 'email');

CREATE TABLE crm_field_definitions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  key text NOT NULL,
  label text NOT NULL,
  type text NOT NULL CHECK (type IN ('text', 'number', 'date', 'select', 'multi_select')),
  options text[] NOT NULL DEFAULT '{}',
  required boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, division_id, key)
);

-- The timeline: notes, and entries that other modules (interactions, tickets, orders, surveys) add with their
-- own kind and a reference to their object. New kinds need no change here.
CREATE TABLE crm_timeline (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  contact_id uuid NOT NULL REFERENCES crm_contacts(id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.]{1,40}$'),
  source_type text,
  source_id text,
  actor_id uuid REFERENCES users(id) ON DELETE SET NULL,
  summary text NOT NULL DEFAULT '',
  data jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX crm_timeline_page_idx ON crm_timeline (tenant_id, contact_id, at DESC, id DESC);
-- The same source object adds one entry of a kind, so event consumers may deliver twice.
CREATE UNIQUE INDEX crm_timeline_source_idx ON crm_timeline (tenant_id, kind, source_type, source_id) WHERE source_id IS NOT NULL;

CREATE TABLE crm_orders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  contact_id uuid NOT NULL REFERENCES crm_contacts(id) ON DELETE CASCADE,
  external_id text,
  status text NOT NULL,
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount numeric(14, 2) NOT NULL,
  items jsonb NOT NULL DEFAULT '[]',
  ordered_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  shipped_at timestamptz,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (tenant_id, external_id)
);
CREATE INDEX crm_orders_contact_idx ON crm_orders (tenant_id, contact_id, ordered_at DESC);

-- Consent (PIPL arts. 13–15): one row per grant or refusal; a withdrawal closes the row. The current answer for a
-- purpose is its newest row.
CREATE TABLE crm_consents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  contact_id uuid NOT NULL REFERENCES crm_contacts(id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('recording', 'marketing_calls', 'marketing_messages', 'data_sharing')),
  granted boolean NOT NULL,
  source text NOT NULL,
  recorded_by uuid REFERENCES users(id) ON DELETE SET NULL,
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  withdrawn_at timestamptz,
  withdrawn_source text
);
CREATE INDEX crm_consents_contact_idx ON crm_consents (tenant_id, contact_id, purpose, recorded_at DESC);

CREATE TABLE crm_imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  dry_run boolean NOT NULL,
  format text NOT NULL CHECK (format IN ('csv', 'xlsx')),
  file_name text NOT NULL DEFAULT '',
  mapping jsonb NOT NULL,
  blob_key text NOT NULL,
  total_rows integer NOT NULL DEFAULT 0,
  processed_rows integer NOT NULL DEFAULT 0,
  created_count integer NOT NULL DEFAULT 0,
  updated_count integer NOT NULL DEFAULT 0,
  error_count integer NOT NULL DEFAULT 0,
  failure text,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  started_at timestamptz,
  finished_at timestamptz
);
CREATE INDEX crm_imports_tenant_idx ON crm_imports (tenant_id, created_at DESC);

CREATE TABLE crm_import_errors (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  import_id uuid NOT NULL REFERENCES crm_imports(id) ON DELETE CASCADE,
  row_number integer NOT NULL,
  field text NOT NULL,
  message text NOT NULL,
  PRIMARY KEY (import_id, row_number, field)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['crm_companies', 'crm_contacts', 'crm_identities', 'crm_field_definitions', 'crm_timeline',
                           'crm_orders', 'crm_consents', 'crm_imports', 'crm_import_errors'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_bypass_rls() OR tenant_id = app_tenant_id())
                    WITH CHECK (app_bypass_rls() OR tenant_id = app_tenant_id())', t);
  END LOOP;
END $$;
