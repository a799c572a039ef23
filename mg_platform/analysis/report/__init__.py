"""The clinician-facing HTML report and the CSV exports of every result table."""
