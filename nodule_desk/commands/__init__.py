"""The headless commands: one module per subcommand of ``python -m nodule_desk``.

Each module has ``run(args) -> dict`` (the JSON of DESIGN.md's CLI contract) and optionally
``exit_code(result) -> int``. This is the top layer of the core: a command may combine the store,
the archive, DICOM, imaging, the guidelines, reports and sync; no clinical package imports it.
The UI calls the same service functions the commands call.
"""
