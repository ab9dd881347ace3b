"""Edges of the system: DynamoDB (PynamoDB), Stripe, SNS/SES."""

from chalicelib.adapters import botocore_data

botocore_data.share()  # every DynamoDB connection reads botocore's service models once
