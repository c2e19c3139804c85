"""skseizure.pruning."""
