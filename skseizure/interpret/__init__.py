"""skseizure.interpret."""
