"""Durable partner lifecycles. Each module holds one workflow; the worker registers WORKFLOWS."""

from workflows.onboarding import PartnerOnboardingWorkflow

WORKFLOWS = [PartnerOnboardingWorkflow]

__all__ = ["WORKFLOWS", "PartnerOnboardingWorkflow"]
