-- A teacher sets a mark: the lesson must be theirs and the pupil in its class or group; one row, its audit
-- row by the trigger, a notification for the journal's and the diary's followers, a synchronous commit.
\set r random(1, :n_mark)
\set v random(2, 5)
SELECT lesson, student FROM mark_target WHERE rn = :r \gset
BEGIN;
INSERT INTO mark (lesson, student, value, work_type, set_by)
  SELECT l.id, m.student, :v, 1, l.teacher FROM lesson l JOIN member m ON m.class_id = l.class_id AND m.grp = l.grp
  WHERE l.id = :lesson AND m.student = :student;
SELECT pg_notify('journal', CAST(:lesson AS text));
COMMIT;
