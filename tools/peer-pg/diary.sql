-- A parent reads a week of the child's diary: the lessons of the child's class and groups, with the marks.
\set r random(1, :n_diary)
SELECT student, monday FROM diary_target WHERE rn = :r \gset
SELECT l.id, l.day, l.subject, l.topic, l.homework, k.value, k.work_type
  FROM member m JOIN lesson l ON l.class_id = m.class_id AND l.grp = m.grp
  LEFT JOIN mark k ON k.lesson = l.id AND k.student = m.student AND k.removed_at IS NULL
  WHERE m.student = :student AND l.day BETWEEN CAST(:monday AS date) AND CAST(:monday AS date) + 6 ORDER BY l.day, l.id, k.id;
