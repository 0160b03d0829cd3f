"""This app's records (users, jurisdictions, sessions, proposers, items) are administered
from `workflow.admin`, where every admin page is scoped to the office's jurisdictions: this
app knows nothing of offices."""
