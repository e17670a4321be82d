-- A teacher's journal page: the term's lessons, the pupils, the marks in the grid with their weighted
-- averages left to the client.
\set r random(1, :n_page)
SELECT class_id, grp, subject, first_day, last_day FROM page_target WHERE rn = :r \gset
SELECT id, day, topic, homework, teacher FROM lesson
  WHERE class_id = :class_id AND grp = :grp AND subject = :subject AND day BETWEEN CAST(:first_day AS date) AND CAST(:last_day AS date) ORDER BY day, id;
SELECT m.student, p.name FROM member m JOIN pupil p ON p.id = m.student WHERE m.class_id = :class_id AND m.grp = :grp ORDER BY m.student;
SELECT k.lesson, k.student, k.value, k.work_type FROM mark k JOIN lesson l ON l.id = k.lesson
  WHERE l.class_id = :class_id AND l.grp = :grp AND l.subject = :subject AND l.day BETWEEN CAST(:first_day AS date) AND CAST(:last_day AS date)
    AND k.removed_at IS NULL ORDER BY k.lesson, k.student, k.id;
