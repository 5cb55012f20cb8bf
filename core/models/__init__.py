from core.models.organizations import Invitation, Membership, Organization
from core.models.projects import Project
from core.models.tokens import ApiToken
from core.models.users import User

__all__ = ["ApiToken", "Invitation", "Membership", "Organization", "Project", "User"]
