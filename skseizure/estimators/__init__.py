"""skseizure.estimators."""
