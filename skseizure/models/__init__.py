"""skseizure.models."""
