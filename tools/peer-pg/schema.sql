-- The PostgreSQL peer of ej-bench ws --mix: the school as a conventional journal database would keep it —
-- one row per mark, an audit row per change written by a trigger, every commit synchronous. The tables are
-- filled from what the benchmark read out of ejournald (TSV files, PostgreSQL's text COPY format).
CREATE TABLE lesson (
  id bigint PRIMARY KEY, class_id int NOT NULL, grp int NOT NULL, subject int NOT NULL, teacher int NOT NULL,
  day date NOT NULL, topic text NOT NULL, homework text NOT NULL);
CREATE TABLE pupil (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE member (student int NOT NULL, class_id int NOT NULL, grp int NOT NULL, PRIMARY KEY (student, class_id, grp));
CREATE TABLE mark (
  id bigserial PRIMARY KEY, lesson bigint NOT NULL REFERENCES lesson, student int NOT NULL REFERENCES pupil,
  value smallint NOT NULL CHECK (value BETWEEN 1 AND 5), work_type int NOT NULL, set_by int NOT NULL,
  set_at timestamptz NOT NULL DEFAULT now(), removed_at timestamptz);
CREATE TABLE mark_audit (
  id bigserial PRIMARY KEY, mark bigint NOT NULL, lesson bigint NOT NULL, student int NOT NULL,
  before smallint, after smallint, actor int NOT NULL, at timestamptz NOT NULL DEFAULT now());

-- The benchmark's request targets: the same lists ej-bench drew ejournald's requests from.
CREATE TABLE page_target (rn int PRIMARY KEY, class_id int, grp int, subject int, first_day date, last_day date);
CREATE TABLE mark_target (rn int PRIMARY KEY, lesson bigint, student int);
CREATE TABLE diary_target (rn int PRIMARY KEY, student int, monday date);
CREATE TABLE asof_target (rn int PRIMARY KEY, class_id int, grp int, subject int, first_day date, last_day date, at date);

CREATE FUNCTION audit_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mark_audit (mark, lesson, student, before, after, actor)
  VALUES (NEW.id, NEW.lesson, NEW.student, CASE WHEN TG_OP = 'UPDATE' THEN OLD.value END, NEW.value, NEW.set_by);
  RETURN NEW;
END $$;
