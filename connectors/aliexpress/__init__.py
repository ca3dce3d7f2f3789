"""AliExpress Russia ("local" seller API, LAliExpress): JWT token in ``x-auth-token``, JSON POST methods.

There is no official machine-readable spec; ``../shared/marketplaces/aliexpress.md`` is the only source and marks
what rests on client libraries only as UNCONFIRMED. The code follows the doc's best reading and says so in comments.
"""
