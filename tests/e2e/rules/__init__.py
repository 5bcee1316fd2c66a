"""The rules library: uploading, publishing, reading and accepting house rules."""
