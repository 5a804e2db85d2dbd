"""grader: what grading trusts.

The reference implementation (loaded from the solution notebooks), and the grading of
submissions. Nothing in here is importable by a student's notebook while it is graded.
"""
