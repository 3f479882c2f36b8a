"""Whose week is shown: the words the planner's picker and a printed week's header use."""

from __future__ import annotations

from coptui.i18n import N_

# By the kind of resource (``None``: the whole centre); translated where shown.
WHOSE = {
    None: N_("Centre"),
    "room": N_("Room"),
    "staff": N_("Specialist"),
    "volunteer": N_("Volunteer"),
    "case": N_("Case"),
    "programme": N_("Programme"),
}
