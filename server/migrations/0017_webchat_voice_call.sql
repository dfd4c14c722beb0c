-- Web chat escalated to a voice call (docs/webchat.md): the call is a segment of the chat's interaction, between
-- the agent segments before and after it; its recording is a voice_recordings row of the same interaction.
ALTER TABLE interaction_segments DROP CONSTRAINT interaction_segments_kind_check;
ALTER TABLE interaction_segments ADD CONSTRAINT interaction_segments_kind_check
  CHECK (kind IN ('flow', 'queue', 'ringing', 'agent', 'hold', 'voicemail', 'voice_call'));
-- The agent's open invitation to a call (any node's visitor socket may accept it, once; it lapses after 2 minutes).
ALTER TABLE webchat_sessions ADD COLUMN call_invited_at timestamptz;
