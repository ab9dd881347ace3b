"""Edges of the system: DynamoDB (PynamoDB), Stripe, SNS/SES."""
