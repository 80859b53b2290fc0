"""Admin pages, one module per page; every view is an `AdminPage` (see `base`)."""
