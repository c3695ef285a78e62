"""Lung mask, nodule segmentation, measurement, detection, registration."""
