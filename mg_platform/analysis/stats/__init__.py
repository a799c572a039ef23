"""Study statistics (stats.* tables): pure functions over data frames, no Dagster.

Conventions follow ../shared/contracts/results.md: group reference ``Control``
(or arm ``A`` when blinded), every difference is comparison minus reference,
95 % confidence intervals, two-sided p-values.
"""
