"""Docking of morphine into opioid receptors and the NMDA receptor Mg2+ site (pure domain code)."""
