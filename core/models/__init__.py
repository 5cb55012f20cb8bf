from core.models.organizations import Invitation, Membership, Organization
from core.models.outbound import OutboundContact
from core.models.projects import Project
from core.models.tokens import ApiToken
from core.models.users import User
from core.models.versions import SharedVersion

__all__ = ["ApiToken", "Invitation", "Membership", "Organization", "OutboundContact", "Project", "SharedVersion", "User"]
