"""The driver: the front half, then the passes in the order of the manifest, then the
backend; and the cache of what it made."""
