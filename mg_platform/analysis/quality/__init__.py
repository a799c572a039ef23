"""Data-quality gate: rule catalogue, Great Expectations suites built from the contract, the gate, the report."""
