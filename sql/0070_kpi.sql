-- KPIs (DOMAIN.md §6): the reply-within-48-h figure reads, per complaint, its first reply ('handled' event) and the extensions
-- agreed before it ('extended' events). A partial index keeps those lookups off the rest of the timeline.
CREATE INDEX complaint_events_reply_idx ON complaint_events (complaint_id, at) WHERE kind IN ('handled', 'extended');
