"""The decision service: decisions over HTTP, a grant ledger and an audit log in a database.

Modules, in the order data flows: `pii` (personal data and identities in the facts), `ruleset`
(rule sets by content), `tables` and `db` (the store and its transactions), `ledger` and `audit`
(grants, quotas, logged decisions), `cases` (one request checked), `service` (decide, apply),
`openapi` and `app` (the HTTP API), `replay`. The CLI reaches them through `engine.api.serve`.
"""
