-- An example `sql` hook script (PostgreSQL; see hooks/configs/example.json): staging must not show who did
-- what in production, so the copied audit trail is emptied. Sections separated by a line reading exactly
-- "-- statement" are sent one by one, in one transaction; a script without such lines is one statement.
DELETE FROM audit_log
-- statement
DELETE FROM login_history WHERE logged_in_at < now() - interval '1 day'
