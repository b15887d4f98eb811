"""Attendance: work calendars, per-day roll-ups from tap events, corrections, timesheets."""
