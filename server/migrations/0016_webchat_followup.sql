-- Web chat follow-up (issue 9): offline messages become tickets (source 'webchat'), the tenant's outbound email
-- (SMTP) settings for transcripts and other mail, the transcript request of a chat and its delivery state, and the
-- marker that keeps an auto-reply after silence from being sent twice.

ALTER TABLE tickets DROP CONSTRAINT IF EXISTS tickets_source_check;
ALTER TABLE tickets ADD CONSTRAINT tickets_source_check CHECK (source IN ('agent', 'api', 'help_center', 'email', 'interaction', 'webchat'));

-- One outbound SMTP server per tenant. The password is sealed with the installation's key (SecretBox, as flow
-- secrets and webhook secrets are) and never returned by the API.
CREATE TABLE tenant_mail_settings (
  tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  host text NOT NULL,
  port integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
  -- none: plain SMTP; starttls: upgrade required (fails when the server does not offer it); tls: implicit TLS (465)
  tls_mode text NOT NULL CHECK (tls_mode IN ('none', 'starttls', 'tls')),
  username text,
  password_sealed text,
  from_address text NOT NULL,
  from_name text NOT NULL DEFAULT '',
  -- false accepts a self-signed certificate (an office mail server); the default checks it like a browser.
  tls_verify boolean NOT NULL DEFAULT true,
  enabled boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
ALTER TABLE tenant_mail_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_mail_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_mail_settings USING (app_bypass_rls() OR tenant_id = app_tenant_id())
  WITH CHECK (app_bypass_rls() OR tenant_id = app_tenant_id());

ALTER TABLE webchat_sessions
  -- The address the visitor asked the transcript to be sent to (null: no transcript wanted).
  ADD COLUMN transcript_email text,
  -- requested (a job will send it when the chat ends), queued, sent, failed (after the last retry, or no email set up)
  ADD COLUMN transcript_status text CHECK (transcript_status IN ('requested', 'queued', 'sent', 'failed')),
  ADD COLUMN transcript_error text,
  ADD COLUMN transcript_sent_at timestamptz,
  -- The ticket an offline message (or a chat nobody could take) became.
  ADD COLUMN ticket_id uuid REFERENCES tickets(id) ON DELETE SET NULL,
  -- The sequence number of the last customer message that got an auto-reply after silence.
  ADD COLUMN auto_replied_seq integer NOT NULL DEFAULT 0;
CREATE INDEX webchat_sessions_live_idx ON webchat_sessions (status) WHERE status IN ('queued', 'assigned');
