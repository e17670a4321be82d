-- After the load: the indexes the requests use, the audit trigger, fresh statistics.
CREATE INDEX lesson_page ON lesson (class_id, grp, subject, day);
CREATE INDEX lesson_week ON lesson (class_id, grp, day);
CREATE INDEX mark_cell ON mark (lesson, student);
CREATE INDEX member_class ON member (class_id, grp);
CREATE TRIGGER mark_audited AFTER INSERT OR UPDATE ON mark FOR EACH ROW EXECUTE FUNCTION audit_mark();
ANALYZE;
