"""Enablement's pages: the managers' board, the partner page's enablement section and its
actions, the portal's plan page and task pages. The rows they read are written by the
EnablementWorkflow's activities (enablement_plan, enablement_item, certification, task,
timeline_event); everything they change goes to that workflow as an Update."""
