"""Negotiation documents in and out: Word (.docx, with native tracked changes), Akoma Ntoso 3.0
and PDF, built from the notation engine's tree (``cbmhub.negotiations.notation``).

Pure Python, no Django: the ``cbmhub text docx|akn|pdf|import-docx|import-akn`` commands use it
with no database. See docs/documents.md.
"""
