from core.models.metering import MeterUsage
from core.models.factors import MfaRequirement, Passkey, RecoveryCode, TotpAuthenticator
from core.models.organizations import Invitation, Membership, Organization
from core.models.outbound import OutboundContact
from core.models.plugins import PluginAvailability, PluginOrganization, PluginSettingValue
from core.models.projects import Project
from core.models.tokens import ApiToken
from core.models.users import User
from core.models.versions import SharedVersion

__all__ = [
    "ApiToken", "Invitation", "Membership", "MeterUsage", "MfaRequirement", "Organization", "OutboundContact",
    "Passkey", "PluginAvailability", "PluginOrganization", "PluginSettingValue", "Project", "RecoveryCode",
    "SharedVersion", "TotpAuthenticator", "User",
]
