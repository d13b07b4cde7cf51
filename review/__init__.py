"""Review checks, cross-form linking and reports (issue 4). Nothing here yet."""
