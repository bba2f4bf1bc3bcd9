"""The application's frame: start-up (:mod:`.application`), the main window with its menus, the status
bar, the scanner's keyboard filter, and the context every screen shares."""
