from core.models.factors import MfaRequirement, Passkey, RecoveryCode, TotpAuthenticator
from core.models.organizations import Invitation, Membership, Organization
from core.models.outbound import OutboundContact
from core.models.projects import Project
from core.models.tokens import ApiToken
from core.models.users import User

__all__ = [
    "ApiToken", "Invitation", "Membership", "MfaRequirement", "Organization", "OutboundContact", "Passkey", "Project",
    "RecoveryCode", "TotpAuthenticator", "User",
]
