"""Core message catalogs (data only): <locale>/LC_MESSAGES/messages.po."""
