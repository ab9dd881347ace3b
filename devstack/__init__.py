"""The local stack: DynamoDB Local, moto's server for SNS/SES, localstripe and `chalice local`.

Used by `make run` (devstack.run), by the tests (tests/conftest.py) and by local tools.
Nothing here is deployed.
"""
