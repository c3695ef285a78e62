"""NoduleDesk's headless core: load CT, measure and follow nodules, categorise, report, sync.

Never imports Qt or VTK (tests/core/test_import_boundary.py checks it).
"""

__version__ = "0.1.0"
