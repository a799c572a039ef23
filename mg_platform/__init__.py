"""mg-platform: reproducible analysis of intraoperative MgSO4 and early recovery."""

__version__ = "0.1.0"
