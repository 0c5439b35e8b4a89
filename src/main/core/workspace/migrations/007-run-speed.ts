// Schema version 7: a run's member indexes cover only the rows they are searched for.
export default /* sql */ `
-- Every input record of a run has a member row, but only records in groups are looked up by
-- group, and only records in exceptions by exception (about one in ten). Partial indexes skip
-- the NULL entries, so saving a million-record run maintains far fewer index entries; lookups
-- by "group_id = ?" or "exception_id = ?" imply NOT NULL, so SQLite (and INDEXED BY) still use them.
DROP INDEX run_member_group;
CREATE INDEX run_member_group ON run_member (run_id, group_id) WHERE group_id IS NOT NULL;
DROP INDEX run_member_exception;
CREATE INDEX run_member_exception ON run_member (run_id, exception_id) WHERE exception_id IS NOT NULL;
`;
