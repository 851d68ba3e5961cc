"""Review: assignment rules, submissions, consensus, gold, flags, adjudication."""
