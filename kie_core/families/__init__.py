"""Task families: the create/status/callback shapes that several models share."""
