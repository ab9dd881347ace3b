"""Domain rules as pure functions: no boto3, no stripe, no I/O."""
