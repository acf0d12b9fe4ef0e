"""Helpers for tests/test_grading.py: build throw-away courses and students, read the gradebook."""
