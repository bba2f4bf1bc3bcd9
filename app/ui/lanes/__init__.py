"""Background work of the window: every lane, what runs on it, and who writes to the store.

The GUI thread never waits on the disk, the printer or the network. Work goes to one of these lanes;
each runs one task at a time, and results come back to the GUI thread (a queued signal):

=================  =======================================  ==================================================
lane               where                                    runs
=================  =======================================  ==================================================
database           ``MainWindow.worker``: a                 every use case of the screens (log-in, receive,
                   :class:`~.worker.Worker`,                actions, lists, settings, drafts, the parked
                   ``QThreadPool(1)``                       events). Reads and **writes** the store.
printing           ``MainWindow.print_worker``: a           sending a PDF to the printer, listing printers:
                   ``Worker``, which waits on a child       :mod:`.printing` runs ``python -m
                   process per job                          app.ui.lanes.print_process`` (Qt holds the GIL
                                                            while it rasterises a page; a driver may hang for
                                                            minutes). Never touches the store.
sync (network)     ``SyncController.lane``                  the enrolment (writes the centre and the slot)
                   (:mod:`.sync`): a ``Worker``             and the keyring check: calls that may wait
                                                            seconds on the server or the OS.
sync thread        ``app.sync.engine.SyncWorker``: a        the sync rounds (push, pull, catalogue), which
                   daemon ``threading.Thread``, owned by    **write** the store (``store.write()`` in
                   ``SyncController``                       :mod:`app.sync.engine`). Its states reach the
                                                            GUI thread as a queued signal, dropped when from
                                                            a stopped worker (a generation number).
backup             ``BackupController.lane``                the daily backup and File › Back up now (SQLite's
                   (:mod:`.backup`): a ``Worker``           online backup: seconds for a large store, so not
                                                            on the database lane). Reads the store.
digitising         ``MainWindow.digitise_worker`` (also         the digitising panel's scanner (SANE/TWAIN),
                   ``UiContext.digitise``): a ``Worker``    files read, thumbnails and compression of pages
                                                            (``app.services.digitise_panel``). Never touches
                                                            the store but to read a file for the viewer.
=================  =======================================  ==================================================

The writer rule, as it is: more than one thread writes the store. The database lane, the sync thread
and (for an enrolment) the sync lane each open their own write transactions, and the command line may
write from another process. Nothing in the window serialises them; SQLite does. Every write transaction
begins with ``BEGIN IMMEDIATE`` (it takes the write lock at its start, so a transaction never fails
half-way on an upgrade from read to write), and every connection has a ``busy_timeout``
(``BUSY_TIMEOUT_MS``, 10 s; both in :mod:`app.models.db`), so a writer waits for the one in progress
instead of failing. Reads never wait (WAL). A write that still cannot get the lock ends as a
``StoreError`` ("database is locked"), shown to the operator like any environment fault.
"""
