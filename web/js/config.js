// The school's settings for the web client. The time zone must match the server's school time
// (projections/school_time.h: Moscow, UTC+3); change both together for a school elsewhere.
export const SCHOOL_TIME_ZONE = 'Europe/Moscow';
