from __future__ import annotations

from django.conf import settings
from django.db import models

from core.secrets import EncryptedTextField


class PluginAvailability(models.Model):
    """Whether a plugin is on for every organization or only for the organizations enabled.

    No row: on for every organization. Edited by instance staff on the System page or with
    ``PUT /api/v1/plugins/<name>/availability/``; enforced by ``core.plugins.enablement``.
    """

    EVERY_ORGANIZATION = "all"
    SELECTED_ORGANIZATIONS = "selected"
    MODES = [(EVERY_ORGANIZATION, "Every organization"), (SELECTED_ORGANIZATIONS, "Only the organizations enabled")]

    plugin = models.CharField(max_length=100, unique=True)
    mode = models.CharField(max_length=20, choices=MODES, default=EVERY_ORGANIZATION)
    owners_may_enable = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.plugin}: {self.mode}"


class PluginOrganization(models.Model):
    """An organization that a plugin in ``selected`` mode is enabled for."""

    plugin = models.CharField(max_length=100)
    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="enabled_plugins")
    enabled_at = models.DateTimeField(auto_now_add=True)
    enabled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plugin", "organization"], name="plugin_enabled_once")]

    def __str__(self) -> str:
        return f"{self.plugin} for {self.organization_id}"


class PluginSettingValue(models.Model):
    """A value of a setting a plugin declared (``anneal_plugin_settings``), instance-wide or per organization."""

    SECRET_PURPOSE = "core.plugin-setting"

    plugin = models.CharField(max_length=100)
    name = models.CharField(max_length=100)
    organization = models.ForeignKey("core.Organization", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="plugin_settings")
    value = models.JSONField(null=True, blank=True)
    secret = EncryptedTextField(purpose=SECRET_PURPOSE, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plugin", "name", "organization"], name="plugin_setting_once"),
            models.UniqueConstraint(fields=["plugin", "name"], condition=models.Q(organization__isnull=True),
                                    name="plugin_instance_setting_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plugin}.{self.name}"
