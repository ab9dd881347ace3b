"""The notification plumbing of AWS, made in moto's server: the events topic, the queues it
delivers to (raw, with their dead-letter queues, as infra/messaging.py says) and a verified
SES sender. Used at stack start (devstack/prepare.py) and by the tests. Idempotent."""

from __future__ import annotations

import json

from infra import messaging


def ensure() -> dict[str, str]:
    """Create what is missing; returns the topic ARN and the queue URLs by short name."""
    from chalicelib.adapters.channels import client
    from chalicelib.config import resource_name, settings

    sns, sqs = client("sns"), client("sqs")
    topics = {short: sns.create_topic(Name=resource_name(short))["TopicArn"] for short in messaging.TOPICS}
    made: dict[str, str] = {f"topic:{short}": arn for short, arn in topics.items()}
    for spec in messaging.QUEUES:
        dlq_url = sqs.create_queue(QueueName=resource_name(f"{spec.short}-dlq"))["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url = sqs.create_queue(QueueName=resource_name(spec.short), Attributes={
            "VisibilityTimeout": "30",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": spec.max_receive_count}),
        })["QueueUrl"]
        made[spec.short], made[f"{spec.short}-dlq"] = url, dlq_url
        if spec.subscribe_to:
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            sns.subscribe(TopicArn=topics[spec.subscribe_to], Protocol="sqs", Endpoint=arn,
                          Attributes={"RawMessageDelivery": "true"})
    ses = client("sesv2")
    known = {i.get("IdentityName") for i in ses.list_email_identities().get("EmailIdentities", [])}
    if settings().ses_sender not in known:
        ses.create_email_identity(EmailIdentity=settings().ses_sender)
    return made
