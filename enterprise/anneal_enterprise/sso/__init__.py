"""Enterprise single sign-on: per-organization OpenID Connect and SAML 2.0, SCIM, enforcement."""
