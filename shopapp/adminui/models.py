"""The admin keeps no tables of its own: the privacy settings it edits live in
`personalization.privacy` (moved there when the domain began enforcing them)."""
