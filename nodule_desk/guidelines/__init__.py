"""Lung-RADS v2022, Fleischner 2017 and the Chinese screening rules, table-driven."""
