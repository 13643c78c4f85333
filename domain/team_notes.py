"""What a partner admin's team changes write on the organisation's timeline (web/portal/team.py).

Phrases, as in domain/notes.py: stored in English, shown in the reader's language. A role field
holds the role's code ("partner_admin") and is shown by its label (web/notes.py). Reword a
phrase only by adding a new one beside it: the notes already stored keep the old English.
"""

from __future__ import annotations

from domain.phrases import N_, Phrase

_ROLE = "[a-z_]+"

INVITED = Phrase(N_("%(name)s (%(email)s) invited as %(role)s"), role=_ROLE)
INVITED_AGAIN = Phrase(N_("A new invitation link sent to %(name)s (%(email)s)"))
INVITATION_REVOKED = Phrase(N_("The invitation of %(name)s (%(email)s) was withdrawn"))
ROLE_CHANGED = Phrase(N_("%(name)s changed from %(old_role)s to %(role)s"),
                      old_role=_ROLE, role=_ROLE)
DEACTIVATED = Phrase(N_("%(name)s (%(email)s) can no longer sign in"))
REACTIVATED = Phrase(N_("%(name)s (%(email)s) can sign in again"))

NOTES = (INVITED, INVITED_AGAIN, INVITATION_REVOKED, ROLE_CHANGED, DEACTIVATED, REACTIVATED)

# timeline_event.action of each change.
TEAM_INVITED = "team_invited"
TEAM_INVITATION_REVOKED = "team_invitation_revoked"
TEAM_ROLE_CHANGED = "team_role_changed"
TEAM_DEACTIVATED = "team_deactivated"
TEAM_REACTIVATED = "team_reactivated"
