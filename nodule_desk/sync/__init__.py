"""Outbox and DICOMweb client for the parent center."""
