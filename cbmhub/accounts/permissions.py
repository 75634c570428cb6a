"""Who may see and do what with accounts: the rules, in one place.

Accounts, their API tokens and their authenticators are the platform operators' business only,
not the secretariat's (even with ``is_staff``): an account's role and scope decide what it reads,
and a token or second factor is a credential. Every account's owner manages their own tokens on
the profile page (``selectors`` scope those reads to the owner). Imported by the admin.
"""

from __future__ import annotations

from cbmhub.core import roles


def can_administer_accounts(user: object) -> bool:
    """Open the account, token and authenticator admins: operators (superusers) only."""
    return roles.is_operator(user)
