"""Dialogs opened over the window: the shared ones (:mod:`.common`), settings, enrolment, rejected events
and the print preview."""
