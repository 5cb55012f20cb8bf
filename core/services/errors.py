class ServiceError(Exception):
    """A request that cannot be carried out, with a message a person can act on."""

    def __init__(self, message: str, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class PolicyRefused(ServiceError):
    """A plugin's policy hook refused the action."""

    def __init__(self, message: str, code: str = "refused") -> None:
        super().__init__(message, code)


class SignInThrottled(ServiceError):
    """Too many sign-ins failed for this account or from this address; try again later."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "sign_in_throttled")
