"""One module per header family.

Each module has a pure function that turns options into a header value and
raises :class:`~flask_talisman.ConfigurationError` on bad options. They run
when the policy is compiled, never per request.
"""
