-- Web chat (docs/webchat.md): chat widgets a site embeds, the chat sessions of visitors (one per chat interaction),
-- and the messages of text conversations with their per-conversation sequence numbers, client message ids
-- (idempotent sends) and delivery/read receipts. Messages and attachments belong to the conversations module
-- (any text channel writes them); widgets and sessions to the web chat channel.

CREATE TABLE webchat_widgets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  division_id uuid NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
  -- The queue chats are handed to (null: the first queue of the division that serves chat).
  queue_id uuid REFERENCES routing_queues(id) ON DELETE SET NULL,
  name text NOT NULL,
  -- Exact origins (scheme://host[:port]) of the sites that may embed the widget.
  allowed_origins text[] NOT NULL DEFAULT '{}',
  -- The HMAC secret sites sign verified identities with, sealed with the installation key.
  identity_secret_sealed text NOT NULL,
  -- Colours, greeting, languages, pre-chat form, business hours (validated by the service's zod schema).
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX webchat_widgets_tenant_idx ON webchat_widgets (tenant_id, created_at);

CREATE TABLE webchat_sessions (
  interaction_id uuid PRIMARY KEY REFERENCES interactions(id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  widget_id uuid NOT NULL REFERENCES webchat_widgets(id) ON DELETE CASCADE,
  -- The signed anonymous visitor id (the widget keeps it across reloads).
  visitor_id text NOT NULL,
  -- The site's own user id when the identity was verified with the widget's HMAC secret.
  verified_user_id text,
  contact_id uuid REFERENCES crm_contacts(id) ON DELETE SET NULL,
  -- bot: a chat flow talks; queued: waiting in routing; assigned: an agent has it; offline: left a message
  -- outside business hours (waits for follow-up); ended.
  status text NOT NULL CHECK (status IN ('bot', 'queued', 'assigned', 'offline', 'ended')),
  task_id uuid,
  agent_id uuid REFERENCES users(id) ON DELETE SET NULL,
  visitor_name text NOT NULL DEFAULT '',
  prechat jsonb NOT NULL DEFAULT '{}'::jsonb,
  page_url text,
  referrer text,
  locale text,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX webchat_sessions_visitor_idx ON webchat_sessions (tenant_id, widget_id, visitor_id, created_at DESC);
CREATE INDEX webchat_sessions_task_idx ON webchat_sessions (task_id) WHERE task_id IS NOT NULL;

-- The sequence counter of each conversation: appending takes its row lock, so numbers are gapless and ordered.
CREATE TABLE conversation_counters (
  interaction_id uuid PRIMARY KEY REFERENCES interactions(id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  last_seq integer NOT NULL DEFAULT 0
);

CREATE TABLE conversation_attachments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  interaction_id uuid NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  blob_key text NOT NULL,
  file_name text NOT NULL,
  -- Detected from the bytes, never taken from the uploader.
  content_type text NOT NULL,
  size integer NOT NULL,
  image_width integer,
  image_height integer,
  uploaded_by text NOT NULL CHECK (uploaded_by IN ('customer', 'agent')),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX conversation_attachments_idx ON conversation_attachments (interaction_id);

CREATE TABLE conversation_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  interaction_id uuid NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  seq integer NOT NULL,
  sender text NOT NULL CHECK (sender IN ('customer', 'agent', 'bot', 'system')),
  sender_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  sender_name text NOT NULL DEFAULT '',
  -- The sender's own id for the message: a resend after a lost acknowledgement finds the stored message.
  client_message_id text,
  body text NOT NULL DEFAULT '',
  attachment_id uuid REFERENCES conversation_attachments(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  delivered_at timestamptz,
  read_at timestamptz,
  UNIQUE (interaction_id, seq),
  UNIQUE (interaction_id, sender, client_message_id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['webchat_widgets', 'webchat_sessions', 'conversation_counters', 'conversation_attachments', 'conversation_messages'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_bypass_rls() OR tenant_id = app_tenant_id())
                    WITH CHECK (app_bypass_rls() OR tenant_id = app_tenant_id())', t);
  END LOOP;
END $$;
