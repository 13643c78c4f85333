"""Durable partner lifecycles. Each module holds one workflow; the worker registers WORKFLOWS."""

from workflows.account_mail import AccountMailWorkflow
from workflows.onboarding import PartnerOnboardingWorkflow

WORKFLOWS = [PartnerOnboardingWorkflow, AccountMailWorkflow]

__all__ = ["WORKFLOWS", "AccountMailWorkflow", "PartnerOnboardingWorkflow"]
