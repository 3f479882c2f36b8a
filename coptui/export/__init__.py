"""What leaves coptui: reports, printable timetables and calendar files.

Nothing here opens a transaction or imports Textual: callers hand in rows read by the services.
"""
