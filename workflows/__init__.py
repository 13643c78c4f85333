"""Durable partner lifecycles. Each module holds one workflow; the worker registers WORKFLOWS."""

from workflows.account_mail import AccountMailWorkflow
from workflows.digest import DigestWorkflow
from workflows.enablement import EnablementWorkflow
from workflows.onboarding import PartnerOnboardingWorkflow

WORKFLOWS = [PartnerOnboardingWorkflow, AccountMailWorkflow, DigestWorkflow, EnablementWorkflow]

__all__ = ["WORKFLOWS", "AccountMailWorkflow", "DigestWorkflow", "EnablementWorkflow",
           "PartnerOnboardingWorkflow"]
