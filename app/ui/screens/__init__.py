"""The pages of the main window: log-in, intake (F2), the desk (F3) and a dossier (F4)."""
