"""Anneal's tables as unmanaged models: the minimal application reads the same rows."""

from __future__ import annotations

from django.db import models


class User(models.Model):
    email = models.CharField(max_length=254)
    is_active = models.BooleanField()

    is_authenticated = True

    class Meta:
        managed = False
        db_table = "core_user"


class Token(models.Model):
    user = models.ForeignKey(User, on_delete=models.DO_NOTHING)
    token_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField(null=True)
    revoked_at = models.DateTimeField(null=True)

    class Meta:
        managed = False
        db_table = "core_apitoken"


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)

    class Meta:
        managed = False
        db_table = "core_organization"


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.DO_NOTHING)
    organization = models.ForeignKey(Organization, on_delete=models.DO_NOTHING, related_name="memberships")
    role = models.CharField(max_length=16)

    class Meta:
        managed = False
        db_table = "core_membership"


class Project(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.DO_NOTHING)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    description = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "core_project"
