-- A queued call's wait (issue 6, voice side of the flow's queue node): the path log records what happened while
-- the caller waited after the queue node (event 'queue': announcements, the callback key, the wait's result), and a
-- callback asked for from the queue keeps the place the caller had (queued_since: when they joined the queue).

ALTER TABLE flow_path_events DROP CONSTRAINT IF EXISTS flow_path_events_event_check;
ALTER TABLE flow_path_events ADD CONSTRAINT flow_path_events_event_check CHECK (event IN ('enter', 'leave', 'queue'));

ALTER TABLE voice_callback_requests ADD COLUMN queued_since timestamptz;
