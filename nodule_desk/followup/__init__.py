"""Nodule identity across visits, growth, volume doubling time, worklist."""
