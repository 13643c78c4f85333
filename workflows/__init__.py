"""Durable partner lifecycles. Each module holds one workflow; the worker registers WORKFLOWS."""

from workflows.account_mail import AccountMailWorkflow
from workflows.digest import DigestWorkflow
from workflows.onboarding import PartnerOnboardingWorkflow

WORKFLOWS = [PartnerOnboardingWorkflow, AccountMailWorkflow, DigestWorkflow]

__all__ = ["WORKFLOWS", "AccountMailWorkflow", "DigestWorkflow", "PartnerOnboardingWorkflow"]
