"""Protein-interaction network analysis: STRING data -> igraph centralities, cytoHubba MCC, enrichment.

Pure domain code (no Dagster): sources (STRING API responses, the offline snapshot) are turned
into one :class:`~mg_platform.analysis.network.source.NetworkSource`, from which
:func:`~mg_platform.analysis.network.results.network_results` builds the ``network.*`` tables.
"""
