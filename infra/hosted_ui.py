"""Sign-in on AWS through Cognito's hosted UI: the authorization code flow with PKCE
(web/src/oidc.ts, oidc-client-ts), back to the web client's own address.

- The user pool the stack creates gets a hosted-UI domain, `<prefix>-<account>` (a prefix is
  unique per region across every account; the account id makes it so).
- The web app client allows the code flow only, the scopes `openid email profile`, Cognito's
  own directory, and one callback and sign-out URL: the client's HTTPS address.
- That address is the custom domain when one is given (`web_domain_name` with its certificate):
  known at synth time, it is declared on the app client itself. Otherwise it is the
  distribution's `*.cloudfront.net` name, known only once the distribution exists, and the
  distribution depends on the app client (CloudFront -> API -> the functions' environment,
  which names the app client): declaring it on the app client would be a cycle. A custom
  resource after the distribution then sets it with UpdateUserPoolClient. That call resets
  every field it is not given, so it is given all of the app client's declared fields
  (`update_parameters`), and it runs again whenever any of them changes (they are its
  parameters), after CloudFormation's own update of the app client.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito, aws_iam as iam, custom_resources as cr

from infra.settings import StageSettings

OAUTH_FLOWS = ("code",)
SCOPES = ("openid", "email", "profile")

# The app client's fields UpdateUserPoolClient takes, as (CfnUserPoolClient attribute, API field).
# CloudFormation's property names are the API's.
UPDATABLE = (
    ("client_name", "ClientName"), ("explicit_auth_flows", "ExplicitAuthFlows"),
    ("supported_identity_providers", "SupportedIdentityProviders"),
    ("allowed_o_auth_flows_user_pool_client", "AllowedOAuthFlowsUserPoolClient"),
    ("allowed_o_auth_flows", "AllowedOAuthFlows"), ("allowed_o_auth_scopes", "AllowedOAuthScopes"),
    ("callback_ur_ls", "CallbackURLs"), ("logout_ur_ls", "LogoutURLs"), ("default_redirect_uri", "DefaultRedirectURI"),
    ("prevent_user_existence_errors", "PreventUserExistenceErrors"), ("enable_token_revocation", "EnableTokenRevocation"),
    ("enable_propagate_additional_user_context_data", "EnablePropagateAdditionalUserContextData"),
    ("read_attributes", "ReadAttributes"), ("write_attributes", "WriteAttributes"),
    ("access_token_validity", "AccessTokenValidity"), ("id_token_validity", "IdTokenValidity"),
    ("refresh_token_validity", "RefreshTokenValidity"), ("auth_session_validity", "AuthSessionValidity"),
)
# Structured fields this module does not translate: the app client must not set them (or the
# custom resource would reset them).
UNTRANSLATED = ("token_validity_units", "analytics_configuration", "refresh_token_rotation")


def custom_domain_url(settings: StageSettings) -> str | None:
    """The client's address when the distribution answers on a custom domain (infra/client.py
    gives it the domain only with its certificate)."""
    if settings.web_domain_name and settings.web_certificate_arn:
        return f"https://{settings.web_domain_name}/"
    return None


def oauth_options(url: str | None) -> dict[str, Any]:
    """The app client's OAuth settings (cognito.UserPoolClient keyword arguments): the code flow
    back to `url`, or no OAuth yet when `url` comes later (register_url)."""
    if url is None:
        return {"disable_o_auth": True}
    return {"o_auth": cognito.OAuthSettings(
        flows=cognito.OAuthFlows(authorization_code_grant=True),
        scopes=[getattr(cognito.OAuthScope, s.upper()) for s in SCOPES],
        callback_urls=[url], logout_urls=[url]),
        "supported_identity_providers": [cognito.UserPoolClientIdentityProvider.COGNITO]}


def oauth_fields(url: str) -> dict[str, Any]:
    """The same settings as UpdateUserPoolClient's fields."""
    return {"AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": list(OAUTH_FLOWS),
            "AllowedOAuthScopes": list(SCOPES), "SupportedIdentityProviders": ["COGNITO"],
            "CallbackURLs": [url], "LogoutURLs": [url]}


def update_parameters(client: cognito.UserPoolClient, pool: cognito.UserPool, url: str) -> dict[str, Any]:
    """UpdateUserPoolClient's parameters: every field the app client declares, with the OAuth
    settings back to `url`."""
    cfn = client.node.default_child
    assert isinstance(cfn, cognito.CfnUserPoolClient)
    left = [name for name in UNTRANSLATED if getattr(cfn, name) is not None]
    if left:
        raise ValueError(f"the web app client sets {left}: translate them in infra/hosted_ui.py UPDATABLE, "
                         "or UpdateUserPoolClient would reset them")
    declared = {field: getattr(cfn, name) for name, field in UPDATABLE if getattr(cfn, name) is not None}
    declared.pop("AllowedOAuthFlowsUserPoolClient", None)  # disabled until now: set below
    return {"UserPoolId": pool.user_pool_id, "ClientId": client.user_pool_client_id, **declared, **oauth_fields(url)}


def register_url(scope: cdk.Stack, pool: cognito.UserPool, client: cognito.UserPoolClient, url: str,
                 after: list[Any]) -> cr.AwsCustomResource:
    """Sets the app client's callback and sign-out URL once `after` (the distribution) exists."""
    call = cr.AwsSdkCall(service="CognitoIdentityServiceProvider", action="updateUserPoolClient",
                         parameters=update_parameters(client, pool, url),
                         physical_resource_id=cr.PhysicalResourceId.of(client.user_pool_client_id))
    # AwsCustomResource's handler is one Lambda per stack, under the role of the first custom
    # resource made (stack.py's SMS settings): a `role` given here would be ignored. The policy
    # is attached to that handler's role instead, for this pool only.
    resource = cr.AwsCustomResource(
        scope, "HostedUiCallbacks", resource_type="Custom::HostedUiCallbacks", on_create=call, on_update=call,
        install_latest_aws_sdk=False,
        policy=cr.AwsCustomResourcePolicy.from_statements([iam.PolicyStatement(
            actions=["cognito-idp:UpdateUserPoolClient"], resources=[pool.user_pool_arn])]))
    resource.node.add_dependency(client, *after)
    return resource
