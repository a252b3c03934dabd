"""Shopper-judged search evaluation (issue 14): hand-written queries, criteria read by a person, a grader."""
