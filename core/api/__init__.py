"""The JSON API for apps and home automation: ``/api/v1``, with personal access tokens.

Requests carry ``Authorization: Bearer up_…`` (never cookies, so no CSRF); the token
decides the customer, and the Host the brand as everywhere, so a token works only on its
own brand's host. Answers and errors are JSON; error messages are in the customer's
language. Each view is declared on an :class:`~core.api.base.ApiEndpoints`, which also feeds the OpenAPI
document (:mod:`core.api.spec`); the endpoints are in the features' ``api.py`` modules.
"""
