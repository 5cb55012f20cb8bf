"""A typed client for Anneal's REST API (``/api/v1/``)."""

from anneal_client.client import AnnealClient, ApiError, RateLimited
from anneal_client.models import ApiToken, FieldError, Invitation, Member, Organization, Project, User

__all__ = ["AnnealClient", "ApiError", "ApiToken", "FieldError", "Invitation", "Member", "Organization",
           "Project", "RateLimited", "User"]
__version__ = "0.1.0"
